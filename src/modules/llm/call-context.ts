import type { LanguageModelV4CallOptions, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { Logger } from 'pino';
import type { AppError } from '../../platform/errors.js';
import { CallAbortedError } from './error-classification.js';
import type { ModelRef } from './llm.types.js';
import { describeLlmError } from './llm-errors.js';
import type { CallOutcome, LlmMetrics } from './llm-metrics.js';
import type { ProviderPolicies } from './provider-policies.js';

/**
 * Who a model call is for: the llm module knows no chat and no task, so callers say it. Budgets are
 * checked and cost is counted under it; `requestId` and `userId` only travel on to events.
 */
export interface LlmCallContext {
  tenantId: string;
  agent: string;
  requestId?: string;
  userId?: string;
}

const CONTEXT_KEY = 'berth';

/** The call options that carry a call context through the AI SDK (`generateText({ ...withCallContext(ctx) })`). */
export const withCallContext = (context: LlmCallContext) => ({
  providerOptions: { [CONTEXT_KEY]: { ...context } },
});

/** The call context of a model call and its options without it (providers never see Berth's key). */
export function takeCallContext(params: LanguageModelV4CallOptions): {
  context: LlmCallContext | undefined;
  params: LanguageModelV4CallOptions;
} {
  const { [CONTEXT_KEY]: raw, ...rest } = params.providerOptions ?? {};
  const context = raw as Partial<LlmCallContext> | undefined;
  const valid = typeof context?.tenantId === 'string' && typeof context.agent === 'string';
  return {
    context: valid ? (context as LlmCallContext) : undefined,
    params: raw === undefined ? params : { ...params, providerOptions: rest },
  };
}

/** Everything the resilient wrapper of one model needs. */
export interface WrapperDeps {
  ref: ModelRef;
  /** Metric labels: the provider name and the model id. */
  labels: { provider: string; model: string };
  policies: ProviderPolicies;
  metrics: LlmMetrics;
  logger: Logger;
  timeoutMs: number;
  secrets: readonly string[];
}

const outcomeOf = (error: AppError): CallOutcome => {
  if (error.code === 'llm_unavailable') return 'rejected';
  if (error.code === 'llm_timeout') return 'timeout';
  return 'error';
};

/** Bookkeeping of one logical call (all its attempts): records its outcome exactly once. */
export class CallRecord {
  private readonly started = performance.now();
  private done = false;

  constructor(private readonly deps: WrapperDeps) {}

  succeed(usage?: LanguageModelV4Usage): void {
    if (this.settle('ok'))
      this.deps.metrics.recordTokens(this.deps.labels, usage?.inputTokens.total, usage?.outputTokens.total);
  }

  /**
   * Turns a failure into what the caller gets: the caller's own abort reason when it aborted (so the AI
   * SDK treats it as an abort), otherwise an AppError. Logs and counts it.
   */
  fail(error: unknown, callerSignal?: AbortSignal): unknown {
    if (error instanceof CallAbortedError || callerSignal?.aborted) {
      this.settle('error');
      return callerSignal?.reason ?? error;
    }
    const appError = describeLlmError(error, {
      ref: this.deps.ref,
      secrets: this.deps.secrets,
      pausedForMs: this.deps.policies.pausedForMs(),
      timeoutMs: this.deps.timeoutMs,
    });
    return this.failWith(appError);
  }

  failWith(appError: AppError): AppError {
    if (this.settle(outcomeOf(appError))) {
      const { provider, model } = this.deps.labels;
      this.deps.logger.warn(
        { provider, model, code: appError.code, details: appError.details },
        appError.message,
      );
    }
    return appError;
  }

  /** Counts a call that ended for a reason that is nobody's failure to report (consumer cancelled). */
  cancel(): void {
    this.settle('error');
  }

  private settle(outcome: CallOutcome): boolean {
    if (this.done) return false;
    this.done = true;
    this.deps.metrics.recordCall(this.deps.labels, outcome, (performance.now() - this.started) / 1000);
    return true;
  }
}
