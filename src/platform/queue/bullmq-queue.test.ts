import { randomUUID } from 'node:crypto';
import { Queue as BullQueue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  deleteRedisKeys,
  type PrivateRedis,
  REDIS_URL,
  redisServerSkipReason,
  redisSkipReason,
  startPrivateRedis,
} from '../../../test/support/services.js';
import { createLogger } from '../telemetry/index.js';
import { createBullmqQueue } from './bullmq-queue.js';
import { defineQueueContract } from './queue.contract.js';
import type { Queue } from './queue.js';
import {
  enqueueAll,
  recording,
  sleep,
  testJob,
  WAIT,
  waitForCount,
  waitForDepth,
} from './queue-contract-support.js';

const skip = await redisSkipReason();
// One prefix for this file: its keys are deleted at the end, and no other run shares them.
const prefix = `berth-test-${randomUUID().slice(0, 8)}`;

if (skip) {
  describe.skip(`BullMQ queue — skipped: ${skip}`, () => {
    it('needs Redis', () => {});
  });
} else {
  afterAll(() => deleteRedisKeys(REDIS_URL, prefix));

  defineQueueContract('BullMQ', async () => ({
    queue: createBullmqQueue({ connection: REDIS_URL, prefix, abandonGraceMs: 100 }),
  }));

  describe('createBullmqQueue on the shared Redis', () => {
    let queue: Queue;
    let redis: Redis;
    afterEach(async () => {
      await queue.close(200);
      redis?.disconnect();
    });

    it('keeps waiting jobs in the list KEDA reads, <prefix>:<name>:wait', async () => {
      queue = createBullmqQueue({ connection: REDIS_URL, prefix });
      redis = new Redis(REDIS_URL);
      const def = testJob('keda');
      const waitList = `${prefix}:${def.name}:wait`;
      await enqueueAll(queue, def, [1, 2, 3]);
      expect(await redis.type(waitList)).toBe('list');
      expect(await redis.llen(waitList)).toBe(3);
      queue.consume(def, async () => {}, { concurrency: 2 });
      await vi.waitFor(async () => expect(await redis.llen(waitList)).toBe(0), WAIT);
    });

    it('takes any job id, integers and ids with ":" included, and hands it back as it was', async () => {
      queue = createBullmqQueue({ connection: REDIS_URL, prefix });
      redis = new Redis(REDIS_URL);
      const def = testJob('ids');
      const ids = ['42', 'tenant:a:step:7', '50%', 'j-x', 'ünï code'];
      for (const [n, jobId] of ids.entries()) await queue.enqueue(def, { n }, { jobId });
      await queue.enqueue(def, { n: 99 }, { jobId: '42' });
      expect(
        await redis.exists(`${prefix}:${def.name}:j-42`, `${prefix}:${def.name}:j-tenant%3Aa%3Astep%3A7`),
      ).toBe(2);
      const seen = recording();
      queue.consume(def, seen.handler, { concurrency: 1 });
      await waitForCount(seen.deliveries, ids.length);
      expect(seen.deliveries.map((d) => d.id)).toEqual(ids);
    });

    it('measures oldestWaitingMs from the job that has waited longest', async () => {
      queue = createBullmqQueue({ connection: REDIS_URL, prefix });
      const def = testJob('oldest');
      await queue.enqueue(def, { n: 1 }, { jobId: 'first' });
      await sleep(400);
      await queue.enqueue(def, { n: 2 }, { jobId: 'second' });
      const depth = await queue.depth(def);
      expect(depth.waiting).toBe(2);
      expect(depth.oldestWaitingMs).toBeGreaterThanOrEqual(380);
      expect(depth.oldestWaitingMs).toBeLessThan(5_000);
    });

    it('counts a retried job as waiting from the end of its backoff, not from its enqueue', async () => {
      queue = createBullmqQueue({ connection: REDIS_URL, prefix });
      redis = new Redis(REDIS_URL);
      const def = testJob('retry-age', { attempts: 2, backoffMs: 50 });
      await queue.enqueue(def, { n: 1 }, { jobId: 'r' });
      await sleep(600);
      const failsOnce = async () => {
        throw new Error('fails once');
      };
      const consumer = queue.consume(def, failsOnce, { concurrency: 1 });
      await waitForDepth(queue, def, { delayed: 1 });
      await consumer.stop();
      // Only a worker's fetch moves due jobs from delayed to waiting; with none running, promote by hand.
      const producer = new BullQueue(def.name, { connection: redis, prefix });
      await producer.promoteJobs();
      await producer.close();
      const depth = await queue.depth(def);
      expect(depth).toMatchObject({ waiting: 1, delayed: 0 });
      expect(depth.oldestWaitingMs).toBeLessThan(400);
    });

    it('hands the job of a worker that went away to another worker once its lock lapses', async () => {
      const def = testJob('stalled');
      const fast = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
      const gone = createBullmqQueue({ connection: REDIS_URL, prefix, ...fast });
      const first = recording(() => new Promise<void>(() => {}));
      gone.consume(def, first.handler, { concurrency: 1 });
      await gone.enqueue(def, { n: 1 }, { jobId: 'orphan' });
      await waitForCount(first.deliveries, 1);
      // close(0) drops the connection before the handler settles: as a crash would, it leaves the job active.
      await gone.close(0);
      queue = createBullmqQueue({ connection: REDIS_URL, prefix, ...fast });
      expect(await queue.depth(def)).toMatchObject({ active: 1 });
      const second = recording();
      queue.consume(def, second.handler, { concurrency: 1 });
      await waitForCount(second.deliveries, 1);
      expect(second.deliveries[0]).toMatchObject({ id: 'orphan', n: 1 });
      await waitForDepth(queue, def, { waiting: 0, active: 0, failed: 0 });
    });
  });
}

describe('createBullmqQueue without Redis', () => {
  it('rejects enqueue and depth within about 2 s, naming host and port, and still closes', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => lines.push(line) });
    const queue = createBullmqQueue({ connection: 'redis://127.0.0.1:1', prefix, logger });
    const def = testJob('unreachable');
    queue.consume(def, async () => {}, { concurrency: 1 });
    const started = performance.now();
    await Promise.all([
      expect(queue.enqueue(def, { n: 1 }, { jobId: 'x' })).rejects.toThrow(/127\.0\.0\.1:1/),
      expect(queue.depth(def)).rejects.toThrow(/127\.0\.0\.1:1/),
    ]);
    expect(performance.now() - started).toBeLessThan(2_500);
    const closing = performance.now();
    await queue.close(100);
    expect(performance.now() - closing).toBeLessThan(3_000);
    // Each connection retried for 2 s: logged, once per distinct error, not once per retry.
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(5);
    expect(lines[0]).toContain('ECONNREFUSED');
  });
});

const noServer = redisServerSkipReason();
describe.skipIf(noServer)(
  `createBullmqQueue across a Redis restart${noServer ? ` — skipped: ${noServer}` : ''}`,
  () => {
    let server: PrivateRedis | undefined;
    afterEach(async () => {
      await server?.stop();
    });

    it('processes jobs enqueued after Redis restarted, with the same queue and consumer', async () => {
      server = await startPrivateRedis();
      const queue = createBullmqQueue({ connection: server.url, prefix: 'berth' });
      try {
        const def = testJob('redis-restart');
        const seen = recording();
        queue.consume(def, seen.handler, { concurrency: 1 });
        await queue.enqueue(def, { n: 1 }, { jobId: 'before' });
        await waitForCount(seen.deliveries, 1);

        await server.stop();
        await expect(queue.enqueue(def, { n: 0 }, { jobId: 'during' })).rejects.toThrow(`:${server.port}`);
        await sleep(1_500);
        await server.start();
        const restarted = performance.now();
        // The relay's part: it keeps retrying until Redis takes the job.
        await vi.waitFor(() => queue.enqueue(def, { n: 2 }, { jobId: 'after' }), {
          timeout: 10_000,
          interval: 200,
        });
        await vi.waitFor(() => expect(seen.deliveries.map((d) => d.n)).toEqual([1, 2]), { timeout: 15_000 });
        expect(performance.now() - restarted).toBeLessThan(15_000);
      } finally {
        await queue.close(200);
      }
    });
  },
);
