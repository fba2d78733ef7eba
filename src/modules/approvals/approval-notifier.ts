import { isIP } from 'node:net';
import { ExponentialBackoff, handleWhen, retry, TimeoutStrategy, timeout, wrap } from 'cockatiel';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../platform/telemetry/index.js';
import { checkAddress, createHttpPostTool, invokeTool, type ToolError } from '../tools/index.js';
import type { ApprovalBus, ApprovalEvent } from './approval-events.js';

/** One delivery attempt of an event to the notify URL; a retryable failure is tried again. */
export type NotifyTransport = (
  url: string,
  event: ApprovalEvent,
  idempotencyKey: string,
  signal: AbortSignal,
) => Promise<{ ok: true } | { ok: false; error: ToolError }>;

class DeliveryFailed extends Error {
  constructor(readonly error: ToolError) {
    super(error.message);
  }
}

/**
 * The default transport: http_post's guarded POST (addresses checked before and at connect time).
 * The notify host is allowed when it is a name (whatever it resolves to must still be public) or a
 * public address; a private address only when BERTH_WEBHOOK_ALLOW lists it.
 */
export function guardedTransport(url: string, webhookAllow: readonly string[]): NotifyTransport {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const literal = isIP(host) !== 0;
  const own = !literal || checkAddress(host).ok ? [`${target.hostname}:${port}`] : [];
  const tool = createHttpPostTool({
    allow: [...webhookAllow, ...own],
    userAgent: 'Berth (+approvals notify)',
  });
  return async (to, event, idempotencyKey, signal) => {
    const sent = await invokeTool(tool, { url: to, body: event }, { signal, idempotencyKey });
    if (!sent.ok) return sent;
    if (sent.value.status >= 200 && sent.value.status < 300) return { ok: true };
    const retryable = sent.value.status >= 500 || sent.value.status === 429;
    return {
      ok: false,
      error: { code: 'notify_refused', message: `the notify URL answered ${sent.value.status}`, retryable },
    };
  };
}

export interface ApprovalNotifierOptions {
  url: string;
  bus: ApprovalBus;
  metrics: Registry;
  logger: Logger;
  transport?: NotifyTransport;
  /** BERTH_WEBHOOK_ALLOW, for a notify URL on a private address. */
  webhookAllow?: readonly string[];
  /** Attempts after the first. Default 3. */
  retries?: number;
  /** Each attempt. Default 5 s. */
  timeoutMs?: number;
  /** First retry delay, doubling. Default 500 ms. */
  retryBaseMs?: number;
}

/**
 * POSTs approval.requested and approval.decided to the notify URL. A listener that returns a
 * promise the bus only tracks, so the step path never waits for it; failures are logged and counted.
 */
export function createApprovalNotifier(options: ApprovalNotifierOptions) {
  const { url, logger } = options;
  const transport = options.transport ?? guardedTransport(url, options.webhookAllow ?? []);
  const deliveries = new Counter({
    name: 'berth_approval_notifications_total',
    help: 'Approval events POSTed to the notify URL, by outcome (delivered, failed after retries)',
    labelNames: ['outcome'] as const,
    registers: [options.metrics],
  });
  const policy = wrap(
    retry(
      handleWhen((error) => error instanceof DeliveryFailed && error.error.retryable),
      {
        maxAttempts: options.retries ?? 3,
        backoff: new ExponentialBackoff({ initialDelay: options.retryBaseMs ?? 500, maxDelay: 10_000 }),
      },
    ),
    timeout(options.timeoutMs ?? 5_000, TimeoutStrategy.Aggressive),
  );
  const stopping = new AbortController();

  async function deliver(event: ApprovalEvent): Promise<void> {
    // The same key on every attempt, so a receiver that saw a retry can drop it.
    const key = `${event.approval_id}:${event.type}`;
    try {
      await policy.execute(async ({ signal }) => {
        const sent = await transport(url, event, key, AbortSignal.any([signal, stopping.signal]));
        if (!sent.ok) throw new DeliveryFailed(sent.error);
      }, stopping.signal);
      deliveries.inc({ outcome: 'delivered' });
    } catch (error) {
      deliveries.inc({ outcome: 'failed' });
      const reason = error instanceof DeliveryFailed ? error.error : { message: String(error) };
      logger.warn(
        { event: event.type, approval_id: event.approval_id, reason },
        'approval notification failed',
      );
    }
  }

  const unsubscribe = [
    options.bus.subscribe('approval.requested', deliver),
    options.bus.subscribe('approval.decided', deliver),
  ];
  return {
    stop() {
      for (const off of unsubscribe) off();
      stopping.abort();
    },
  };
}
