import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerStateName } from './llm.types.js';

export type CallOutcome = 'ok' | 'error' | 'timeout' | 'rejected';

export interface LlmMetrics {
  recordCall(labels: { provider: string; model: string }, outcome: CallOutcome, seconds: number): void;
  recordTokens(labels: { provider: string; model: string }, input?: number, output?: number): void;
  setBreakerState(provider: string, state: BreakerStateName): void;
  /** USD a call cost, by tenant, agent and model (0 is counted too, so every tenant's series exists). */
  recordCost(labels: { tenant: string; agent: string; model: string }, usd: number): void;
}

const breakerGaugeValue: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

// Reuses a metric already on the registry, so building a second LLM registry on it (tests, reloads) works.
function reuse<T>(
  registry: Registry,
  name: string,
  type: abstract new (...args: never[]) => T,
  create: () => T,
): T {
  const existing = registry.getSingleMetric(name);
  return existing instanceof type ? existing : create();
}

function instruments(registry: Registry) {
  const registers = [registry];
  const calls = reuse(
    registry,
    'berth_llm_calls_total',
    Counter,
    () =>
      new Counter({
        name: 'berth_llm_calls_total',
        help: 'LLM calls by provider, model and outcome (ok, error, timeout, rejected by an open breaker).',
        labelNames: ['provider', 'model', 'outcome'] as const,
        registers,
      }),
  );
  const tokens = reuse(
    registry,
    'berth_llm_tokens_total',
    Counter,
    () =>
      new Counter({
        name: 'berth_llm_tokens_total',
        help: 'Tokens reported by LLM providers, by kind (input, output).',
        labelNames: ['provider', 'model', 'kind'] as const,
        registers,
      }),
  );
  const duration = reuse(
    registry,
    'berth_llm_call_duration_seconds',
    Histogram,
    () =>
      new Histogram({
        name: 'berth_llm_call_duration_seconds',
        help: 'Duration of LLM calls, retries included; for streams, until the stream ends.',
        labelNames: ['provider', 'model'] as const,
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
        registers,
      }),
  );
  const breaker = reuse(
    registry,
    'berth_llm_breaker_state',
    Gauge,
    () =>
      new Gauge({
        name: 'berth_llm_breaker_state',
        help: 'Circuit breaker state per LLM provider: 0 closed, 1 half-open, 2 open.',
        labelNames: ['provider'] as const,
        registers,
      }),
  );
  const cost = reuse(
    registry,
    'berth_llm_cost_usd_total',
    Counter,
    () =>
      new Counter({
        name: 'berth_llm_cost_usd_total',
        help: 'What LLM calls cost in USD, from the price table (prices), by tenant, agent and model.',
        labelNames: ['tenant', 'agent', 'model'] as const,
        registers,
      }),
  );
  return { calls, tokens, duration, breaker, cost };
}

export function createLlmMetrics(registry: Registry): LlmMetrics {
  const { calls, tokens, duration, breaker, cost } = instruments(registry);
  return {
    recordCall: ({ provider, model }, outcome, seconds) => {
      calls.inc({ provider, model, outcome });
      duration.observe({ provider, model }, seconds);
    },
    recordTokens: ({ provider, model }, input, output) => {
      if (input !== undefined && input > 0) tokens.inc({ provider, model, kind: 'input' }, input);
      if (output !== undefined && output > 0) tokens.inc({ provider, model, kind: 'output' }, output);
    },
    setBreakerState: (provider, state) => breaker.set({ provider }, breakerGaugeValue[state]),
    recordCost: (labels, usd) => cost.inc(labels, usd),
  };
}
