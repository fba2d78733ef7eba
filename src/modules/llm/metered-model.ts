import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import type { Logger } from 'pino';
import { type LlmCallContext, takeCallContext } from './call-context.js';
import type { ModelRef } from './llm.types.js';
import type { LlmMetrics } from './llm-metrics.js';
import { promptChars } from './offline-reply.js';
import type { PriceTable, TokenUsage } from './prices.js';

/** Tokens and USD of one call: an estimate before it, the real figure after it. */
export interface Spend {
  tokens: number;
  costUsd: number;
}

export interface GatedCall {
  context: LlmCallContext;
  ref: ModelRef;
  estimate: Spend;
}

/** A reservation made before a call; settled exactly once with what the call really spent (0 when it failed). */
export interface Reservation {
  settle(actual: Spend): Promise<void>;
}

/**
 * What the budgets module offers the llm module (app.ts wires it): `reserve` holds the estimate
 * against every limit that applies, or throws AppError `budget_exhausted`.
 */
export interface BudgetGate {
  reserve(call: GatedCall): Promise<Reservation>;
}

export interface MeteringDeps {
  ref: ModelRef;
  /** The model id the provider reports: the metric label, as for the other llm metrics. */
  modelLabel: string;
  prices: PriceTable;
  metrics: LlmMetrics;
  gate?: BudgetGate;
  logger: Logger;
}

/** Output reserved for a call that sets no cap; every Berth caller sets one (the agent's maxOutputTokens). */
const UNCAPPED_OUTPUT_ESTIMATE = 4096;

/**
 * Input is estimated at 4 characters a token (the offline model's own count, close for English on
 * BPE tokenizers) and output at the call's cap, which no answer passes. Only an input that tokenizes
 * denser than that can make a call spend more than it reserved.
 */
function estimateOf(params: LanguageModelV4CallOptions, deps: MeteringDeps): Spend {
  const toolChars = params.tools ? JSON.stringify(params.tools).length : 0;
  const usage: TokenUsage = {
    inputTokens: Math.ceil((promptChars(params.prompt) + toolChars) / 4),
    outputTokens: params.maxOutputTokens ?? UNCAPPED_OUTPUT_ESTIMATE,
  };
  return { tokens: usage.inputTokens + usage.outputTokens, costUsd: deps.prices.costOf(deps.ref, usage) };
}

const NOTHING: Spend = { tokens: 0, costUsd: 0 };
const free: Reservation = { settle: async () => {} };

/** Counts one call's real spend and settles its reservation; a store failure here never fails the call. */
class Meter {
  private settled = false;

  constructor(
    private readonly deps: MeteringDeps,
    private readonly context: LlmCallContext | undefined,
    private readonly reservation: Reservation,
  ) {}

  async finish(usage: LanguageModelV4Usage | undefined): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    const tokens = {
      inputTokens: usage?.inputTokens.total ?? 0,
      outputTokens: usage?.outputTokens.total ?? 0,
    };
    const costUsd = this.deps.prices.costOf(this.deps.ref, tokens);
    const { tenantId = '', agent = '' } = this.context ?? {};
    this.deps.metrics.recordCost({ tenant: tenantId, agent, model: this.deps.modelLabel }, costUsd);
    await this.settle({ tokens: tokens.inputTokens + tokens.outputTokens, costUsd });
  }

  /** A failed or cancelled call: what it may have spent is unknown, so its reservation is released. */
  async release(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await this.settle(NOTHING);
  }

  private async settle(actual: Spend): Promise<void> {
    try {
      await this.reservation.settle(actual);
    } catch (error) {
      // The reservation stays held until the period ends: the budget errs on the side of refusing.
      this.deps.logger.warn(
        { err: error, tenant_id: this.context?.tenantId },
        'could not settle a budget reservation',
      );
    }
  }
}

async function open(params: LanguageModelV4CallOptions, deps: MeteringDeps) {
  const taken = takeCallContext(params);
  const { context } = taken;
  const reservation =
    context && deps.gate
      ? await deps.gate.reserve({ context, ref: deps.ref, estimate: estimateOf(taken.params, deps) })
      : free;
  return { params: taken.params, meter: new Meter(deps, context, reservation) };
}

function meterStream(
  stream: ReadableStream<LanguageModelV4StreamPart>,
  meter: Meter,
): ReadableStream<LanguageModelV4StreamPart> {
  let usage: LanguageModelV4Usage | undefined;
  let failed = false;
  return stream.pipeThrough(
    new TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart>({
      transform(part, controller) {
        if (part.type === 'finish') usage = part.usage;
        else if (part.type === 'error') failed = true;
        controller.enqueue(part);
      },
      // Settled before the stream closes, so whatever the caller does next sees the real figure.
      flush: () => (failed || !usage ? meter.release() : meter.finish(usage)),
      cancel: () => meter.release(),
    }),
  );
}

/**
 * Budgets and cost around every call: reserves an estimate under the call's context (see
 * withCallContext) before the call, then counts the real cost (berth_llm_cost_usd_total) and settles
 * the reservation. Calls without a context (none in Berth's own code) are counted, not gated.
 */
export function withMetering(model: LanguageModelV4, deps: MeteringDeps): LanguageModelV4 {
  return wrapLanguageModel({
    model,
    middleware: {
      specificationVersion: 'v4',
      wrapGenerate: async ({ params }) => {
        const { params: inner, meter } = await open(params, deps);
        try {
          const result = await model.doGenerate(inner);
          await meter.finish(result.usage);
          return result;
        } catch (error) {
          await meter.release();
          throw error;
        }
      },
      wrapStream: async ({ params }) => {
        const { params: inner, meter } = await open(params, deps);
        try {
          const result = await model.doStream(inner);
          return { ...result, stream: meterStream(result.stream, meter) };
        } catch (error) {
          await meter.release();
          throw error;
        }
      },
    },
  });
}
