import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type RetryPolicy,
  retry,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import { CallAbortedError, isProviderFailure, isTransient } from './error-classification.js';
import type { BreakerStateName, LlmOptions } from './llm.types.js';

const MAX_RETRY_DELAY_MS = 10_000;

export const breakerStateName = (state: CircuitState): BreakerStateName => {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'open';
};

/** Breaker and retry shared by every model of one provider endpoint; the timeout is per attempt. */
export class ProviderPolicies {
  readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryPolicy;
  private openedAt = 0;

  constructor(
    private readonly options: Pick<LlmOptions, 'timeoutMs' | 'maxRetries' | 'retryBaseDelayMs' | 'breaker'>,
    onStateChange: (state: BreakerStateName) => void,
  ) {
    this.breaker = circuitBreaker(handleWhen(isProviderFailure), {
      halfOpenAfter: options.breaker.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breaker.consecutiveFailures),
    });
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
    this.breaker.onStateChange((state) => onStateChange(breakerStateName(state)));
    this.retry = retry(handleWhen(isTransient), {
      maxAttempts: options.maxRetries,
      backoff: new ExponentialBackoff({
        initialDelay: options.retryBaseDelayMs,
        maxDelay: MAX_RETRY_DELAY_MS,
      }),
    });
  }

  get state(): BreakerStateName {
    return breakerStateName(this.breaker.state);
  }

  /** How long an open breaker still refuses calls. */
  pausedForMs(): number {
    return Math.max(0, this.openedAt + this.options.breaker.halfOpenAfterMs - Date.now());
  }

  /**
   * Runs one logical call: retry → breaker → timeout → `attempt`. `attempt` gets a signal that aborts on
   * timeout or when the caller aborts. With `keepSignal` the signal is not aborted when `attempt`
   * returns, so a stream it opened keeps flowing.
   */
  execute<T>(
    attempt: (signal: AbortSignal) => Promise<T>,
    callerSignal?: AbortSignal,
    keepSignal = false,
  ): Promise<T> {
    const perAttempt = timeout(this.options.timeoutMs, {
      strategy: TimeoutStrategy.Aggressive,
      abortOnReturn: !keepSignal,
    });
    const guarded = async (signal: AbortSignal): Promise<T> => {
      try {
        return await perAttempt.execute(({ signal: attemptSignal }) => attempt(attemptSignal), signal);
      } catch (error) {
        // cockatiel reports a caller abort as a timeout; neither breaker nor retry should count it.
        if (callerSignal?.aborted) throw new CallAbortedError(callerSignal.reason);
        throw error;
      }
    };
    return this.retry.execute(({ signal }) => this.breaker.execute(() => guarded(signal)), callerSignal);
  }
}
