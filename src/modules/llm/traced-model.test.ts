import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { generateText, streamText } from 'ai';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../../../test/support/fake-openai-server.js';
import { installTestTracing, type TestTracing } from '../../../test/support/test-tracing.js';
import { createLlmRegistry, type ModelRef } from './index.js';

const ref: ModelRef = { provider: 'openai', model: 'gpt-fake' };
const PROMPT = 'Tell me about the lighthouse keeper Ada';
const ANSWER = 'Ada kept the light on the north pier.';
let fake: FakeOpenAI;
let tracing: TestTracing;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  tracing = installTestTracing();
});
afterAll(async () => {
  await tracing.uninstall();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  tracing.reset();
});

function model(traceContent = false, maxRetries = 0) {
  const registry = createLlmRegistry({
    options: {
      providers: {
        openai: { apiKey: 'sk-test-tracing', baseUrl: fake.url },
        anthropic: {},
        google: {},
        ollama: { baseUrl: 'http://127.0.0.1:9' },
        openaiCompatible: {},
      },
      timeoutMs: 2_000,
      maxRetries,
      retryBaseDelayMs: 5,
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
      traceContent,
    },
    metrics: new Registry(),
    logger: pino({ level: 'silent' }),
  });
  return registry.model(ref);
}

const modelSpans = () => tracing.spans().filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
const allText = () => JSON.stringify(tracing.spans().map((s) => [s.name, s.attributes, s.events, s.status]));

describe('model spans', () => {
  it('records one CLIENT span per call with the GenAI attributes and no prompt or completion text', async () => {
    fake.enqueue(fakeReply.ok(ANSWER, { inputTokens: 12, outputTokens: 9 }));
    await trace.getTracer('test').startActiveSpan('step', async (parent) => {
      await generateText({ model: model(), prompt: PROMPT, maxRetries: 0, maxOutputTokens: 64 });
      parent.end();
    });
    const [span, ...others] = modelSpans();
    expect(others).toEqual([]);
    expect(span?.name).toBe('chat gpt-fake');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-fake',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    const parent = tracing.spans().find((s) => s.name === 'step');
    expect(span?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(allText()).not.toContain('lighthouse');
    expect(allText()).not.toContain('north pier');
  });

  it('ends a streamed call when its stream ends, with the usage of its finish part', async () => {
    fake.enqueue(fakeReply.ok(ANSWER, { inputTokens: 7, outputTokens: 5 }));
    const result = streamText({ model: model(), prompt: PROMPT, maxRetries: 0 });
    expect(await result.text).toBe(ANSWER);
    const [span] = modelSpans();
    expect(span?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(allText()).not.toContain('lighthouse');
  });

  it('puts prompt and completion on the span only when the operator opted in', async () => {
    fake.enqueue(fakeReply.ok(ANSWER));
    await generateText({ model: model(true), prompt: PROMPT, maxRetries: 0 });
    const [span] = modelSpans();
    expect(String(span?.attributes['gen_ai.input.messages'])).toContain('lighthouse keeper Ada');
    expect(String(span?.attributes['gen_ai.output.messages'])).toContain('north pier');
  });

  it('marks a failed call with its error code, one span for all of its retries', async () => {
    fake.enqueue(fakeReply.status(503), fakeReply.status(503));
    await expect(generateText({ model: model(false, 1), prompt: PROMPT, maxRetries: 0 })).rejects.toThrow();
    const [span, ...others] = modelSpans();
    expect(others).toEqual([]);
    expect(fake.chatRequests()).toHaveLength(2);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('llm_error');
  });
});
