import { generateText, streamText } from 'ai';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../../../test/support/fake-openai-server.js';
import { AppError } from '../../platform/errors.js';
import { createLlmRegistry, type ModelRef, toLlmAppError } from './index.js';

const HALF_OPEN_AFTER_MS = 200;
const ref: ModelRef = { provider: 'openai', model: 'gpt-fake' };
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

function setup() {
  const metrics = new Registry();
  const registry = createLlmRegistry({
    options: {
      providers: {
        openai: { apiKey: 'sk-test-breaker', baseUrl: fake.url },
        anthropic: {},
        google: {},
        ollama: { baseUrl: 'http://127.0.0.1:9' },
        openaiCompatible: {},
      },
      timeoutMs: 1_000,
      maxRetries: 0,
      retryBaseDelayMs: 5,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: HALF_OPEN_AFTER_MS },
    },
    metrics,
    logger: pino({ level: 'silent' }),
  });
  return { registry, metrics, model: registry.model(ref) };
}

async function breakerGauge(metrics: Registry): Promise<number | undefined> {
  const gauge = await metrics.getSingleMetric('berth_llm_breaker_state')?.get();
  return gauge?.values.find((v) => v.labels.provider === 'openai')?.value;
}

async function callError(model: ReturnType<typeof setup>['model']): Promise<AppError> {
  const error = await generateText({ model, prompt: 'hi', maxRetries: 0 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return toLlmAppError(error, ref);
}

describe('LLM circuit breaker', () => {
  it('opens after consecutive failures, fails fast without calling the provider, and closes after a trial', async () => {
    const { registry, metrics, model } = setup();
    fake.enqueue(fakeReply.status(500), fakeReply.status(503), fakeReply.status(502));
    for (let i = 0; i < 3; i++) expect((await callError(model)).code).toBe('llm_error');
    expect(registry.breakerStates()).toEqual([{ provider: 'openai', state: 'open' }]);
    expect(await breakerGauge(metrics)).toBe(2);

    const rejected = await callError(model);
    expect(rejected.code).toBe('llm_unavailable');
    expect(rejected.message).toMatch(/openai is failing; calls are paused for \d+ s/);
    expect(fake.chatRequests()).toHaveLength(3);
    const calls = await metrics.getSingleMetric('berth_llm_calls_total')?.get();
    expect(calls?.values.find((v) => v.labels.outcome === 'rejected')?.value).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_AFTER_MS + 50));
    fake.enqueue(fakeReply.ok('recovered'));
    expect((await generateText({ model, prompt: 'hi', maxRetries: 0 })).text).toBe('recovered');
    expect(registry.breakerStates()).toEqual([{ provider: 'openai', state: 'closed' }]);
    expect(await breakerGauge(metrics)).toBe(0);
  });

  it('reopens when the trial call fails', async () => {
    const { registry, model } = setup();
    fake.enqueue(fakeReply.status(500), fakeReply.status(500), fakeReply.status(500));
    for (let i = 0; i < 3; i++) await callError(model);
    await new Promise((resolve) => setTimeout(resolve, HALF_OPEN_AFTER_MS + 50));
    fake.enqueue(fakeReply.status(500));
    expect((await callError(model)).code).toBe('llm_error');
    expect(registry.breakerStates()).toEqual([{ provider: 'openai', state: 'open' }]);
    expect((await callError(model)).code).toBe('llm_unavailable');
    expect(fake.chatRequests()).toHaveLength(4);
  });

  it('does not count requests the provider refused (4xx) as provider failures', async () => {
    const { registry, model } = setup();
    fake.enqueue(fakeReply.status(400), fakeReply.status(400), fakeReply.status(400), fakeReply.status(401));
    for (let i = 0; i < 4; i++) expect((await callError(model)).code).toBe('llm_error');
    expect(registry.breakerStates()).toEqual([{ provider: 'openai', state: 'closed' }]);
  });

  it('rejects streams while open, reported through onError', async () => {
    const { model } = setup();
    fake.enqueue(fakeReply.status(500), fakeReply.status(500), fakeReply.status(500));
    for (let i = 0; i < 3; i++) await callError(model);
    let failure: AppError | undefined;
    const result = streamText({
      model,
      prompt: 'hi',
      maxRetries: 0,
      onError: ({ error }) => {
        failure = toLlmAppError(error, ref);
      },
    });
    await result.consumeStream();
    expect(failure?.code).toBe('llm_unavailable');
    expect(fake.chatRequests()).toHaveLength(3);
  });

  it('shares one breaker between the models of a provider', async () => {
    const { registry, model } = setup();
    fake.enqueue(fakeReply.status(500), fakeReply.status(500), fakeReply.status(500));
    for (let i = 0; i < 3; i++) await callError(model);
    const other = registry.model({ provider: 'openai', model: 'another-model' });
    expect((await callError(other)).code).toBe('llm_unavailable');
  });
});
