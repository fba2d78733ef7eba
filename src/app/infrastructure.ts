import { createNotifyTaskEvents, type TaskEvents } from '../modules/tasks/index.js';
import { createPgNotifier, type Notifier } from '../platform/db/index.js';
import {
  checkRedisPosture,
  createBullmqQueue,
  createInProcessQueue,
  type Queue,
} from '../platform/queue/index.js';
import type { Logger } from '../platform/telemetry/index.js';
import type { Config } from './config.js';
import { StartupError } from './startup-error.js';

/** BullMQ on Redis when REDIS_URL is set (after checking Redis will not evict jobs), else the in-process queue. */
export async function openQueue(config: Config, logger: Logger): Promise<Queue> {
  if (!config.redisUrl) return createInProcessQueue();
  const posture = await checkRedisPosture(config.redisUrl);
  if (!posture.ok) throw new StartupError(posture.error);
  return createBullmqQueue({
    connection: config.redisUrl,
    prefix: config.redisPrefix,
    logger,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
  });
}

/**
 * Task events: through Postgres LISTEN/NOTIFY whenever the store is a server (other processes may
 * raise them), in process on the embedded store (only this process can use it).
 */
export async function openTaskEvents(
  config: Config,
  logger: Logger,
): Promise<{ events?: TaskEvents; notifier?: Notifier }> {
  if (!config.databaseUrl) return {};
  const notifier = createPgNotifier(config.databaseUrl, logger);
  const events = await createNotifyTaskEvents(notifier, (error) =>
    logger.warn({ err: error }, 'could not pass a task event between processes'),
  );
  return { events, notifier };
}
