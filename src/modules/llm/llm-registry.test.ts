import { generateText, streamText } from 'ai';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../../../test/support/fake-openai-server.js';
import { AppError } from '../../platform/errors.js';
import { createLlmRegistry, type LlmOptions, type ModelRef, toLlmAppError } from './index.js';

const API_KEY = 'sk-test-secret-key-0123456789';
const ref: ModelRef = { provider: 'openai', model: 'gpt-fake' };
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

function setup(overrides: Partial<LlmOptions> = {}) {
  const options: LlmOptions = {
    providers: {
      openai: { apiKey: API_KEY, baseUrl: fake.url },
      anthropic: {},
      google: {},
      ollama: { baseUrl: 'http://127.0.0.1:9' },
      openaiCompatible: { baseUrl: fake.url },
    },
    timeoutMs: 300,
    maxRetries: 2,
    retryBaseDelayMs: 5,
    breaker: { consecutiveFailures: 10, halfOpenAfterMs: 1_000 },
    ...overrides,
  };
  const metrics = new Registry();
  const registry = createLlmRegistry({ options, metrics, logger: pino({ level: 'silent' }) });
  return { registry, metrics, model: registry.model(ref) };
}

async function metricValue(metrics: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.getSingleMetric(name)?.get();
  const matches = (metric?.values ?? []).filter((v) =>
    Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return matches.reduce((sum, v) => sum + v.value, 0);
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return toLlmAppError(error, ref);
}

/** What callers of streamText do: collect the text and the first error reported through onError. */
async function stream(model: ReturnType<typeof setup>['model'], prompt: string) {
  let failure: AppError | undefined;
  const result = streamText({
    model,
    prompt,
    maxRetries: 0,
    onError: ({ error }) => {
      failure ??= toLlmAppError(error, ref);
    },
  });
  let text = '';
  for await (const delta of result.textStream) text += delta;
  return { text, failure, result };
}

describe('LLM registry with an OpenAI-compatible server', () => {
  it('generates text, sends the prompt and the key, and reports usage', async () => {
    const { model } = setup();
    fake.enqueue(fakeReply.ok('Hello, Berth.', { inputTokens: 12, outputTokens: 4 }));
    const result = await generateText({ model, prompt: 'Say hello to Berth', maxRetries: 0 });
    expect(result.text).toBe('Hello, Berth.');
    expect(result.usage.inputTokens).toBe(12);
    expect(result.usage.outputTokens).toBe(4);
    const [request] = fake.chatRequests();
    expect(request?.body?.model).toBe('gpt-fake');
    expect(JSON.stringify(request?.body?.messages)).toContain('Say hello to Berth');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('streams text with usage from the final chunk', async () => {
    const { model, metrics } = setup();
    fake.enqueue(fakeReply.ok('One two three four.', { inputTokens: 7, outputTokens: 5 }));
    const { text, failure, result } = await stream(model, 'Count');
    expect(failure).toBeUndefined();
    expect(text).toBe('One two three four.');
    const usage = await result.usage;
    expect([usage.inputTokens, usage.outputTokens]).toEqual([7, 5]);
    expect(fake.chatRequests()[0]?.body?.stream_options?.include_usage).toBe(true);
    expect(await metricValue(metrics, 'berth_llm_calls_total', { outcome: 'ok' })).toBe(1);
    expect(await metricValue(metrics, 'berth_llm_tokens_total', { kind: 'output' })).toBe(5);
  });

  it('retries a 429 and succeeds', async () => {
    const { model } = setup();
    fake.enqueue(fakeReply.status(429), fakeReply.ok('after the retry'));
    const result = await generateText({ model, prompt: 'hi', maxRetries: 0 });
    expect(result.text).toBe('after the retry');
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('retries a 500 while establishing a stream', async () => {
    const { model } = setup();
    fake.enqueue(fakeReply.status(500), fakeReply.ok('streamed after the retry'));
    const { text, failure } = await stream(model, 'hi');
    expect(failure).toBeUndefined();
    expect(text).toBe('streamed after the retry');
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('gives up after maxRetries on repeated 500s with llm_error', async () => {
    const { model, metrics } = setup();
    fake.enqueue(
      fakeReply.status(500),
      fakeReply.status(500),
      fakeReply.status(500),
      fakeReply.ok('too late'),
    );
    const error = await failureOf(generateText({ model, prompt: 'hi', maxRetries: 0 }));
    expect(error.code).toBe('llm_error');
    expect(error.message).toContain('HTTP 500');
    expect(fake.chatRequests()).toHaveLength(3);
    expect(await metricValue(metrics, 'berth_llm_calls_total', { outcome: 'error' })).toBe(1);
  });

  it('does not retry a rejected key, and says so without leaking it', async () => {
    const { model } = setup();
    fake.enqueue(fakeReply.status(401, { error: { message: `Incorrect API key provided: ${API_KEY}` } }));
    const error = await failureOf(generateText({ model, prompt: 'hi', maxRetries: 0 }));
    expect(error.code).toBe('llm_error');
    expect(error.message).toMatch(/rejected the API key.*OPENAI_API_KEY/);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(API_KEY);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('times out a provider that never answers with llm_timeout, without retrying', async () => {
    const { model, metrics } = setup();
    fake.enqueue(fakeReply.hang());
    const started = Date.now();
    const error = await failureOf(generateText({ model, prompt: 'hi', maxRetries: 0 }));
    expect(error.code).toBe('llm_timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.chatRequests()).toHaveLength(1);
    // The timeout aborts the HTTP request itself, not just the wait for it.
    await vi.waitFor(() => expect(fake.chatRequests()[0]?.abandoned).toBe(true));
    expect(await metricValue(metrics, 'berth_llm_calls_total', { outcome: 'timeout' })).toBe(1);
  });

  it('reports malformed JSON as llm_error', async () => {
    const { model } = setup();
    fake.enqueue(fakeReply.malformed());
    const error = await failureOf(generateText({ model, prompt: 'hi', maxRetries: 0 }));
    expect(error.code).toBe('llm_error');
    expect(error.message).toContain('could not be read');
  });

  it('reports a stream that fails to start through onError as an AppError', async () => {
    const { model } = setup();
    fake.enqueue(fakeReply.malformed());
    const { text, failure, result } = await stream(model, 'hi');
    expect(text).toBe('');
    expect(failure?.code).toBe('llm_error');
    // Without output the result promises reject with the SDK's NoOutputGeneratedError; onError has the cause.
    await expect(result.usage).rejects.toThrow(/No output generated/);
  });

  it('ends a stream that goes silent with llm_timeout, keeping the text received so far', async () => {
    const { model, metrics } = setup();
    fake.enqueue(fakeReply.hangAfter('partial answer'));
    const started = Date.now();
    const { text, failure, result } = await stream(model, 'hi');
    expect(text).toBe('partial answer');
    expect(failure?.code).toBe('llm_timeout');
    expect(failure?.message).toContain('stopped streaming');
    expect(await result.finishReason).toBe('error');
    expect(Date.now() - started).toBeLessThan(2_000);
    await vi.waitFor(() => expect(fake.chatRequests()[0]?.abandoned).toBe(true));
    expect(await metricValue(metrics, 'berth_llm_calls_total', { outcome: 'timeout' })).toBe(1);
  });

  it('passes a caller abort through as an abort, not as a provider failure', async () => {
    const { model, metrics, registry } = setup({ timeoutMs: 5_000 });
    fake.enqueue(fakeReply.hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const call = generateText({ model, prompt: 'hi', maxRetries: 0, abortSignal: controller.signal });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(await metricValue(metrics, 'berth_llm_calls_total', { outcome: 'timeout' })).toBe(0);
    expect(registry.breakerStates()).toEqual([{ provider: 'openai', state: 'closed' }]);
  });

  it('ends a stream the caller aborts with an abort part, not a timeout', async () => {
    const { model, metrics } = setup({ timeoutMs: 5_000 });
    fake.enqueue(fakeReply.hangAfter('partial'));
    const controller = new AbortController();
    const errors: unknown[] = [];
    const result = streamText({
      model,
      prompt: 'hi',
      maxRetries: 0,
      abortSignal: controller.signal,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    const types: string[] = [];
    for await (const part of result.stream) {
      types.push(part.type);
      if (part.type === 'text-delta') controller.abort();
    }
    expect(types).toContain('abort');
    expect(errors.filter((e) => e instanceof AppError)).toEqual([]);
    await vi.waitFor(() => expect(fake.chatRequests()[0]?.abandoned).toBe(true));
    expect(await metricValue(metrics, 'berth_llm_calls_total', { outcome: 'timeout' })).toBe(0);
  });

  it('caches one wrapped model per ref', () => {
    const { registry, model } = setup();
    expect(registry.model({ ...ref })).toBe(model);
    expect(registry.model({ provider: 'openai', model: 'other' })).not.toBe(model);
  });

  it('talks to openai-compatible servers with usage in streams', async () => {
    const { registry } = setup();
    fake.enqueue(fakeReply.ok('compatible', { inputTokens: 3, outputTokens: 1 }));
    const model = registry.model({ provider: 'openai-compatible', model: 'local-llama' });
    const { text, result } = await stream(model, 'hi');
    expect(text).toBe('compatible');
    expect((await result.usage).outputTokens).toBe(1);
    expect(fake.chatRequests()[0]?.body?.model).toBe('local-llama');
  });
});
