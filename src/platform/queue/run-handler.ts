import type { Job, JobHandler } from './queue.js';
import { MAX_DELAY_MS } from './retry-delay.js';

export type DeliveryOutcome = { ok: true } | { ok: false; error: unknown };

export interface DeliveryLimits {
  /** The signal aborts with a TimeoutError after this. */
  timeoutMs: number;
  /** After the signal aborted, how long the handler may take to wind down before the delivery fails. */
  abandonGraceMs: number;
}

/**
 * Runs one delivery and settles with its outcome; never rejects, whatever the handler does
 * (throws synchronously, rejects with a non-Error, never settles).
 *
 * A handler that ignores its aborted signal is given up on after `abandonGraceMs`: its delivery
 * counts as a retryable failure and its concurrency slot is freed, though its code may still be
 * running. Holding the slot instead would let one stuck handler stall its job name for good;
 * the overlap this allows is what at-least-once handlers (the step journal) already tolerate.
 * A handler that resolves after its signal fired but before then still acks: the work is done.
 */
export function runHandler<P>(
  handler: JobHandler<P>,
  job: Job<P>,
  controller: AbortController,
  limits: DeliveryLimits,
): Promise<DeliveryOutcome> {
  const timedOut = new DOMException(
    `job "${job.name}" timed out after ${limits.timeoutMs} ms`,
    'TimeoutError',
  );
  const timers: NodeJS.Timeout[] = [];
  const handled = Promise.resolve()
    .then(() => handler(job, controller.signal))
    .then(
      (): DeliveryOutcome => ({ ok: true }),
      (error: unknown): DeliveryOutcome => ({ ok: false, error }),
    );
  const abandoned = new Promise<DeliveryOutcome>((resolve) => {
    timers.push(later(limits.timeoutMs, () => controller.abort(timedOut)));
    timers.push(
      later(limits.timeoutMs + limits.abandonGraceMs, () => resolve({ ok: false, error: timedOut })),
    );
  });
  return Promise.race([handled, abandoned]).finally(() => {
    for (const timer of timers) clearTimeout(timer);
  });
}

/** A timer that does not keep the process alive: the handler's own work does that. */
export function later(ms: number, fn: () => void): NodeJS.Timeout {
  const timer = setTimeout(fn, Math.min(ms, MAX_DELAY_MS));
  timer.unref();
  return timer;
}
