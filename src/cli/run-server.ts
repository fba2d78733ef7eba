import type { AddressInfo } from 'node:net';
import type { Config } from '../app/config.js';
import { StartupError } from '../app/startup-error.js';
import { createApp, type Role } from '../app.js';
import type { Logger } from '../platform/telemetry/index.js';

const roleNames: Record<Role, string> = { all: 'Berth', api: 'Berth api', worker: 'Berth worker' };

/** Separate roles share their work through Postgres and Redis; the embedded store and queue live in one process. */
function requireSharedServices(config: Config, role: Role) {
  if (role === 'all' || (config.databaseUrl && config.redisUrl)) return;
  const missing = [
    config.databaseUrl ? undefined : 'DATABASE_URL',
    config.redisUrl ? undefined : 'REDIS_URL',
  ].filter(Boolean);
  throw new StartupError(
    `berth ${role} needs ${missing.join(' and ')}: the api and worker roles share tasks through Postgres and Redis.\n` +
      '  Set them (see "Scaling out" in the README), or run everything in one process with: berth start',
  );
}

/** Where a CLI on this machine reaches the server (written in the data dir lock): loopback for a wildcard bind. */
function localUrl(bound: AddressInfo | string | null): string | undefined {
  if (!bound || typeof bound === 'string') return undefined;
  const host = bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address === '::' ? '::1' : bound.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`;
}

/** `berth start | api | worker`. Resolves when the process should exit, with its code. */
export async function runServer(config: Config, logger: Logger, role: Role): Promise<number> {
  requireSharedServices(config, role);
  const started = Date.now();
  const app = await createApp(config, { logger, role });
  const port = role === 'worker' ? config.worker.port : config.server.port;
  const address = await app.http.listen({ host: config.server.host, port });
  app.markStarted(localUrl(app.http.server.address()));
  logger.info(
    {
      // The logger already carries the role (main.ts binds it to every line).
      address,
      store: app.store.kind,
      queue: app.queueKind,
      llm: config.llm.provider,
      startup_ms: Date.now() - started,
    },
    `${roleNames[role]} is ready at ${address}`,
  );
  const graceMs = role === 'worker' ? config.worker.shutdownGraceMs : config.server.shutdownGraceMs;
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, grace_ms: graceMs }, 'shutting down');
      app.close(graceMs).then(
        () => {
          logger.info('stopped');
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
