/** Retry delays vary by up to this fraction either way, so jobs that failed together do not retry together. */
export const RETRY_JITTER = 0.2;

/** setTimeout fires at once for anything longer (about 24.8 days), so no delay may exceed it. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Delay before the retry that follows the given failed delivery (1-based):
 * `backoffMs × 2^(failedAttempt − 1)`, ±20 % jitter drawn from `random` (in [0, 1)).
 */
export function retryDelayMs(backoffMs: number, failedAttempt: number, random: () => number): number {
  const base = backoffMs * 2 ** (failedAttempt - 1);
  const jitter = 1 + RETRY_JITTER * (2 * random() - 1);
  return Math.min(Math.round(base * jitter), MAX_DELAY_MS);
}
