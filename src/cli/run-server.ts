import { createApp } from '../app.js';
import type { Config } from '../platform/config/index.js';
import type { Logger } from '../platform/telemetry/index.js';

/** `berth start`: every role in one process. Resolves when the process should exit, with its code. */
export async function runServer(config: Config, logger: Logger): Promise<number> {
  const started = Date.now();
  const app = await createApp(config, { logger });
  const address = await app.http.listen({ host: config.server.host, port: config.server.port });
  app.markStarted();
  logger.info(
    { address, store: app.store.kind, llm: config.llm.provider, startup_ms: Date.now() - started },
    `Berth is ready at ${address}`,
  );
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, grace_ms: config.server.shutdownGraceMs }, 'shutting down');
      app.close(config.server.shutdownGraceMs).then(
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
