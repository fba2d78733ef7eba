import type { EmbeddingModelV4, SharedV4ProviderOptions } from '@ai-sdk/provider';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { CallRecord, type LlmCallContext, type WrapperDeps } from './call-context.js';
import type { BudgetGate, Reservation } from './metered-model.js';
import type { PriceTable } from './prices.js';

export interface EmbedOptions {
  /** Who the call is for: its budgets are checked and its cost counted under it. */
  context: LlmCallContext;
  dimensions?: number;
  providerOptions?: SharedV4ProviderOptions;
  signal?: AbortSignal;
}

export interface EmbedResult {
  embeddings: number[][];
  tokens: number;
  costUsd: number;
}

export interface EmbedderDeps extends WrapperDeps {
  prices: PriceTable;
  gate?: BudgetGate;
  logger: Logger;
}

const free: Reservation = { settle: async () => {} };

async function settleQuietly(
  reservation: Reservation,
  spend: { tokens: number; costUsd: number },
  deps: EmbedderDeps,
) {
  try {
    await reservation.settle(spend);
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not settle a budget reservation');
  }
}

/**
 * One embeddings call with what every chat call gets: budgets reserved (the input at 4 characters a
 * token, nothing for output) and settled, cost counted, the provider's breaker, retry and timeout,
 * and a GenAI span (`embeddings <model>`). The AI SDK's embedMany would add its own retries and
 * chunking; one provider call per request keeps the budget reservation and the breaker exact.
 */
export async function embedWith(
  model: EmbeddingModelV4,
  values: string[],
  options: EmbedOptions,
  deps: EmbedderDeps,
): Promise<EmbedResult> {
  const estimateTokens = Math.ceil(values.reduce((sum, value) => sum + value.length, 0) / 4);
  const estimate = {
    tokens: estimateTokens,
    costUsd: deps.prices.costOf(deps.ref, { inputTokens: estimateTokens, outputTokens: 0 }),
  };
  const reservation = deps.gate
    ? await deps.gate.reserve({ context: options.context, ref: deps.ref, estimate })
    : free;
  const span = trace.getTracer('berth.llm').startSpan(`embeddings ${deps.labels.model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': deps.ref.provider,
      'gen_ai.request.model': deps.labels.model,
      ...(options.dimensions ? { 'gen_ai.embeddings.dimension.count': options.dimensions } : {}),
    },
  });
  const record = new CallRecord(deps);
  try {
    const result = await deps.policies.execute(
      async (signal) =>
        model.doEmbed({
          values,
          abortSignal: signal,
          ...(options.dimensions ? { dimensions: options.dimensions } : {}),
          ...(options.providerOptions ? { providerOptions: options.providerOptions } : {}),
        }),
      options.signal,
    );
    const tokens = result.usage?.tokens ?? 0;
    const costUsd = deps.prices.costOf(deps.ref, { inputTokens: tokens, outputTokens: 0 });
    record.succeed({
      inputTokens: { total: tokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 0, text: undefined, reasoning: undefined },
    });
    deps.metrics.recordCost(
      { tenant: options.context.tenantId, agent: options.context.agent, model: deps.labels.model },
      costUsd,
    );
    span.setAttribute('gen_ai.usage.input_tokens', tokens);
    await settleQuietly(reservation, { tokens, costUsd }, deps);
    return { embeddings: result.embeddings, tokens, costUsd };
  } catch (error) {
    await settleQuietly(reservation, { tokens: 0, costUsd: 0 }, deps);
    const failure = record.fail(error, options.signal);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: failure instanceof Error ? failure.message : 'failed',
    });
    throw failure;
  } finally {
    span.end();
  }
}
