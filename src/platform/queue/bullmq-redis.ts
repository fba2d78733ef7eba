import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../telemetry/index.js';

/** `host:port` of a Redis URL, for messages and logs: the URL itself may carry a password. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable Redis URL)';
  }
}

/** Reconnects after 100 ms, 200 ms, … then every second: back within ~1 s of Redis, well inside the 15 s recovery goal. */
const reconnectDelay = (times: number) => Math.min(times * 100, 1_000);

/**
 * The connection every BullMQ `Queue` of one Berth queue shares: enqueue and depth. Nothing in it
 * waits out an outage. With ioredis' offline queue off, a command sent while Redis is down fails
 * at once instead of being held until Redis is back (by default for ever): the outbox relay then
 * keeps its rows, and no enqueue that the caller saw fail is carried out later behind its back.
 * `commandTimeout` covers the case the socket cannot see (a Redis that accepts but does not answer).
 */
export function producerConnection(url: string, timeoutMs: number, report: ErrorReport): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: reconnectDelay,
  };
  return watched(new Redis(url, options), report);
}

/**
 * One consumer's own connection. BullMQ requires `maxRetriesPerRequest: null` here: a worker's
 * commands (fetch, lock renewal, recording an outcome) must wait out an outage in the offline
 * queue and go through once Redis is back, not fail and leave an outcome unrecorded.
 */
export function workerConnection(url: string, report: ErrorReport): WorkerRedis {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    retryStrategy: reconnectDelay,
  };
  return watched(new WorkerRedis(url, options), report);
}

/**
 * A worker connection that remembers the copies BullMQ makes of it (the worker's blocking
 * connection), so that dropping it drops them too. BullMQ closes those only once its own close
 * gets that far, which it never does while Redis is unreachable: the copy would go on
 * reconnecting for good after the queue was closed.
 */
export class WorkerRedis extends Redis {
  private readonly copies = new Set<Redis>();

  override duplicate(override?: Partial<RedisOptions>): Redis {
    const copy = super.duplicate(override);
    this.copies.add(copy);
    return copy;
  }

  /** Disconnects this connection and its copies, without reconnecting. */
  disconnectAll(): void {
    this.disconnect();
    for (const copy of this.copies) copy.disconnect();
  }
}

function watched<R extends Redis>(redis: R, report: ErrorReport): R {
  redis.on('error', report);
  return redis;
}

export type ErrorReport = (error: unknown) => void;

/**
 * Logs errors from ioredis and BullMQ ('error' events), which would otherwise go unheard or, on
 * an emitter without a listener, crash the process. While Redis is down every connection reports
 * each failed reconnect, so a message already logged is held back for `quietMs` and counted.
 */
export function errorReport(logger: Logger, context: Record<string, string>, quietMs = 60_000): ErrorReport {
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  return (error) => {
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    const seen = lastLogged.get(message);
    if (seen && now - seen.at < quietMs) {
      seen.suppressed += 1;
      return;
    }
    lastLogged.set(message, { at: now, suppressed: 0 });
    if (lastLogged.size > 100) lastLogged.clear();
    const repeats = seen?.suppressed ?? 0;
    logger.warn({ err: error, ...context, repeats }, 'queue: Redis or BullMQ error');
  };
}

/** Resolves once `redis` is ready; rejects when `signal` aborts first. */
export function whenReady(redis: Redis, signal: AbortSignal): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      redis.off('ready', onReady);
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    redis.once('ready', onReady);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
