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

/** A worker's events reach SSE clients this much later at most; what it buys is fewer NOTIFYs under load. */
const WORKER_NOTIFY_GROUP_MS = 5;

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
 * raise them), in process on the embedded store (only this process can use it). With `publishOnly`
 * (a worker: it streams nothing) the process sends events and listens to none, grouping what it
 * raised within a few milliseconds into one NOTIFY.
 */
export async function openTaskEvents(
  config: Config,
  logger: Logger,
  options: { publishOnly: boolean },
): Promise<{ events?: TaskEvents; notifier?: Notifier }> {
  if (!config.databaseUrl) return {};
  const notifier = createPgNotifier(config.databaseUrl, logger);
  const events = await createNotifyTaskEvents(
    notifier,
    (error) => logger.warn({ err: error }, 'could not pass a task event between processes'),
    options.publishOnly ? { listen: false, groupMs: WORKER_NOTIFY_GROUP_MS } : {},
  );
  return { events, notifier };
}
