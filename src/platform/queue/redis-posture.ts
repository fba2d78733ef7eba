import { Redis } from 'ioredis';
import { fail, ok, type Result } from '../errors.js';
import { redisAddress } from './bullmq-redis.js';
import { withDeadline } from './bullmq-timing.js';

const FIX =
  'set `maxmemory-policy noeviction` (`redis-server --maxmemory-policy noeviction`, the same line in ' +
  'redis.conf, `CONFIG SET maxmemory-policy noeviction`, or the parameter group of a managed Redis)';

/**
 * Checks, before the distributed mode starts, that Redis can hold the queue: reachable within
 * `timeoutMs`, and with `maxmemory-policy noeviction`, since any other policy lets Redis drop
 * queued jobs (and BullMQ's own keys) when memory runs short. The error names the setting and
 * how to change it.
 */
export async function checkRedisPosture(url: string, timeoutMs = 3_000): Promise<Result<void, string>> {
  const address = redisAddress(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The outcome is returned as a value; without a listener ioredis would print each error.
  redis.on('error', () => {});
  try {
    const unreachable = `Redis at ${address} is not reachable within ${timeoutMs} ms`;
    await withDeadline(timeoutMs, unreachable, () => redis.connect()).catch((error: unknown) => {
      throw new Error(`${unreachable}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const policy = await readEvictionPolicy(redis);
    if (policy === 'noeviction') return ok(undefined);
    const found =
      policy === undefined ? 'does not report its maxmemory-policy' : `has maxmemory-policy ${policy}`;
    return fail(
      `Redis at ${address} ${found}, but the queue needs noeviction, or Redis may evict queued jobs: ${FIX}`,
    );
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  } finally {
    redis.disconnect();
  }
}

async function readEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
  } catch {
    // Managed Redis (ElastiCache, Memorystore, …) disables or renames CONFIG; INFO says it too.
  }
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}
