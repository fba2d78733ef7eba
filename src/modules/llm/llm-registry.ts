import type { EmbeddingModelV4, LanguageModelV4 } from '@ai-sdk/provider';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type EmbedOptions, type EmbedResult, embedWith } from './embeddings.js';
import {
  type BreakerStateName,
  type LlmOptions,
  type ModelRef,
  OFFLINE_MODEL_ID,
  type ProviderName,
} from './llm.types.js';
import { createLlmMetrics } from './llm-metrics.js';
import { type BudgetGate, withMetering } from './metered-model.js';
import { createPriceTable, type PriceTable, type TokenUsage } from './prices.js';
import { ProviderPolicies } from './provider-policies.js';
import { createProviderEmbeddingModel, createProviderModel, endpointOf } from './providers.js';
import { withResilience } from './resilient-model.js';
import { withTracing } from './traced-model.js';

export interface LlmRegistry {
  /**
   * An AI SDK LanguageModel (V4) wrapped with timeout, retry, circuit breaker and metrics; cached per ref.
   * Throws AppError llm_unavailable if the provider is not configured (e.g. no API key) with a message
   * naming the env var to set.
   */
  model(ref: ModelRef): LanguageModelV4;
  /**
   * Embeddings of `values` from the ref's embedding model, under the same budgets, breaker, retries,
   * cost and tracing as model calls. AppError llm_unavailable for a provider without embeddings.
   */
  embed(ref: ModelRef, values: string[], options: EmbedOptions): Promise<EmbedResult>;
  breakerStates(): Array<{ provider: string; state: BreakerStateName }>;
  /**
   * One provider's circuit: closed until its first call. `retryInMs` is how long an open circuit still
   * refuses calls; at 0 the next call is let through as a trial, although the state reads open until then.
   */
  circuit(provider: ProviderName): ProviderCircuit;
  /** USD for this usage of the model, from the price table: what its calls were counted at. */
  costOf(ref: ModelRef, usage: TokenUsage): number;
  /** The price table the registry's models count cost with. */
  prices: PriceTable;
}

export interface ProviderCircuit {
  state: BreakerStateName;
  retryInMs: number;
}

export interface LlmRegistryDeps {
  options: LlmOptions;
  metrics: Registry;
  logger: Logger;
  /** The price table; default: every model but the offline one unpriced (0 USD). */
  prices?: PriceTable;
  /** Budgets checked before each call (those that carry a call context); default: none. */
  gate?: BudgetGate;
}

function configuredSecrets(options: LlmOptions): string[] {
  const { openai, anthropic, google, openaiCompatible } = options.providers;
  return [openai.apiKey, anthropic.apiKey, google.apiKey, openaiCompatible.apiKey].filter(
    (key): key is string => typeof key === 'string' && key !== '',
  );
}

export function createLlmRegistry({
  options,
  metrics: registry,
  logger: parentLogger,
  prices = createPriceTable({}),
  gate,
}: LlmRegistryDeps): LlmRegistry {
  const logger = parentLogger.child({ module: 'llm' });
  const metrics = createLlmMetrics(registry);
  const secrets = configuredSecrets(options);
  const policies = new Map<string, { provider: ProviderName; policies: ProviderPolicies }>();
  const models = new Map<string, LanguageModelV4>();
  const embedders = new Map<string, EmbeddingModelV4>();

  const policiesFor = (provider: ProviderName): ProviderPolicies => {
    const key = `${provider} ${endpointOf(provider, options.providers)}`;
    const existing = policies.get(key);
    if (existing) return existing.policies;
    const created = new ProviderPolicies(options, (state) => {
      metrics.setBreakerState(provider, state);
      const level = state === 'open' ? 'warn' : 'info';
      logger[level]({ provider, state }, `LLM provider ${provider} circuit breaker is now ${state}`);
    });
    metrics.setBreakerState(provider, 'closed');
    policies.set(key, { provider, policies: created });
    return created;
  };

  return {
    model(requested) {
      // Every offline model name is the same model; one cache entry keeps the label set small.
      const ref: ModelRef =
        requested.provider === 'offline' ? { provider: 'offline', model: OFFLINE_MODEL_ID } : requested;
      const key = `${ref.provider} ${ref.model}`;
      const cached = models.get(key);
      if (cached) return cached;
      const inner = createProviderModel(ref, options.providers);
      const resilient = withResilience(inner, {
        ref,
        labels: { provider: ref.provider, model: inner.modelId },
        policies: policiesFor(ref.provider),
        metrics,
        logger,
        timeoutMs: options.timeoutMs,
        secrets,
      });
      const metered = withMetering(resilient, {
        ref,
        modelLabel: inner.modelId,
        prices,
        metrics,
        gate,
        logger,
      });
      // Tracing outermost: a budget refusal is a failed span, like a breaker refusal.
      const wrapped = withTracing(metered, {
        ref,
        modelId: inner.modelId,
        traceContent: options.traceContent ?? false,
      });
      models.set(key, wrapped);
      return wrapped;
    },
    embed(ref, values, embedOptions) {
      const key = `${ref.provider} ${ref.model}`;
      const model = embedders.get(key) ?? createProviderEmbeddingModel(ref, options.providers);
      embedders.set(key, model);
      const labels = { provider: ref.provider, model: model.modelId };
      const wrapper = {
        ref,
        labels,
        policies: policiesFor(ref.provider),
        metrics,
        logger,
        timeoutMs: options.timeoutMs,
        secrets,
      };
      return embedWith(model, values, embedOptions, { ...wrapper, prices, gate });
    },
    circuit(provider) {
      const entry = policies.get(`${provider} ${endpointOf(provider, options.providers)}`)?.policies;
      if (!entry) return { state: 'closed', retryInMs: 0 };
      return { state: entry.state, retryInMs: entry.state === 'open' ? entry.pausedForMs() : 0 };
    },
    costOf: (ref, usage) => prices.costOf(ref, usage),
    prices,
    breakerStates: () =>
      [...policies.values()].map(({ provider, policies: entry }) => ({ provider, state: entry.state })),
  };
}
