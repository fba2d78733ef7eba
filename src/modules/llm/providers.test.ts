import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { createLlmRegistry, type LlmOptions, type ModelRef, type ProviderSettings } from './index.js';

const unconfigured: ProviderSettings = {
  openai: {},
  anthropic: {},
  google: {},
  ollama: { baseUrl: '' },
  openaiCompatible: {},
};

function registryWith(providers: ProviderSettings) {
  const options: LlmOptions = {
    providers,
    timeoutMs: 1_000,
    maxRetries: 0,
    retryBaseDelayMs: 10,
    breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1_000 },
  };
  return createLlmRegistry({ options, metrics: new Registry(), logger: pino({ level: 'silent' }) });
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('provider configuration', () => {
  it.each([
    ['openai', 'OPENAI_API_KEY'],
    ['anthropic', 'ANTHROPIC_API_KEY'],
    ['google', 'GOOGLE_GENERATIVE_AI_API_KEY'],
    ['ollama', 'OLLAMA_BASE_URL'],
    ['openai-compatible', 'BERTH_LLM_BASE_URL'],
  ] as const)('refuses an unconfigured %s provider with llm_unavailable naming %s', (provider, envVar) => {
    const error = thrownBy(() => registryWith(unconfigured).model({ provider, model: 'm' }));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'llm_unavailable', httpStatus: 503 });
    expect((error as AppError).message).toContain(envVar);
  });

  it('builds configured providers without touching the network', () => {
    const registry = registryWith({
      openai: { apiKey: 'sk-a' },
      anthropic: { apiKey: 'sk-b' },
      google: { apiKey: 'g' },
      ollama: { baseUrl: 'http://127.0.0.1:11434/' },
      openaiCompatible: { baseUrl: 'http://127.0.0.1:8000/v1' },
    });
    const refs: ModelRef[] = [
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'anthropic', model: 'claude-haiku' },
      { provider: 'google', model: 'gemini-flash' },
      { provider: 'ollama', model: 'llama3.2' },
      { provider: 'openai-compatible', model: 'qwen' },
      { provider: 'offline', model: 'whatever' },
    ];
    const built = refs.map((ref) => registry.model(ref));
    expect(built.map((model) => model.modelId)).toEqual([
      'gpt-4o-mini',
      'claude-haiku',
      'gemini-flash',
      'llama3.2',
      'qwen',
      'berth-offline',
    ]);
    expect(built[0]?.provider).toBe('openai.chat');
    expect(registry.breakerStates().map((b) => b.provider)).toEqual([
      'openai',
      'anthropic',
      'google',
      'ollama',
      'openai-compatible',
      'offline',
    ]);
  });

  it('can be built twice on one metrics registry (metrics are reused, not registered twice)', () => {
    const metrics = new Registry();
    const options: LlmOptions = {
      providers: unconfigured,
      timeoutMs: 1_000,
      maxRetries: 0,
      retryBaseDelayMs: 10,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1_000 },
    };
    const logger = pino({ level: 'silent' });
    createLlmRegistry({ options, metrics, logger });
    expect(() => createLlmRegistry({ options, metrics, logger })).not.toThrow();
    expect(metrics.getSingleMetric('berth_llm_calls_total')).toBeDefined();
  });
});
