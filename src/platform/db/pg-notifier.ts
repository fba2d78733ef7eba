import pg from 'pg';
import type { Logger } from '../telemetry/index.js';
import { createPgPool } from './pg-pool.js';

export interface Notifier {
  notify(channel: string, payload: string): Promise<void>;
  /** Calls `handler` for every notification on the channel, from any process. */
  listen(channel: string, handler: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * Postgres LISTEN/NOTIFY between Berth processes. One dedicated connection listens and reconnects
 * (re-subscribing) when it drops; notifications sent while it is down are missed, which SSE
 * clients survive because every stream starts from a snapshot of the store.
 */
export function createPgNotifier(
  url: string,
  logger: Logger,
  options: { reconnectMs?: number } = {},
): Notifier {
  const pool = createPgPool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  const handlers = new Map<string, Set<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;

  const scheduleReconnect = () => {
    client = undefined;
    if (!closed) setTimeout(() => void connect(), options.reconnectMs ?? 1_000).unref();
  };

  async function connect(): Promise<void> {
    if (closed || client) return;
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      next.on('notification', (message) => {
        for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      next.on('error', (error) => {
        logger.warn({ err: error }, 'event listener connection lost; reconnecting');
        void next.end().catch(() => {});
        scheduleReconnect();
      });
      try {
        await next.connect();
        for (const channel of handlers.keys()) await next.query(`LISTEN "${channel}"`);
        client = next;
      } catch (error) {
        logger.warn({ err: error }, 'event listener could not connect; retrying');
        await next.end().catch(() => {});
        scheduleReconnect();
      }
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  return {
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async listen(channel, handler) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      const known = handlers.get(channel);
      if (known) return void known.add(handler);
      handlers.set(channel, new Set([handler]));
      if (client) await client.query(`LISTEN "${channel}"`);
      else await connect();
    },
    async close() {
      closed = true;
      await connecting;
      await client?.end().catch(() => {});
      await pool.end();
    },
  };
}
