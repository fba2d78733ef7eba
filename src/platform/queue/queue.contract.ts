import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JobHandler, PermanentJobError, type Queue } from './queue.js';
import {
  enqueueAll,
  gate,
  recording,
  sleep,
  type TestPayload,
  testJob,
  waitForCount,
  waitForDepth,
} from './queue-contract-support.js';

export interface QueueUnderTest {
  queue: Queue;
  cleanup?: () => Promise<void>;
}

/**
 * The behaviour every Queue implementation must have, run once per implementation (in-process,
 * BullMQ on a real Redis). Each test uses its own job names, so implementations that share a
 * broker can run it; timings are lower bounds or generous waits, never tight upper bounds.
 */
export function defineQueueContract(name: string, makeQueue: () => Promise<QueueUnderTest>) {
  describe(`Queue contract: ${name}`, () => {
    let made: QueueUnderTest;
    const queue = () => made.queue;

    beforeEach(async () => {
      made = await makeQueue();
    });
    afterEach(async () => {
      await made.queue.close(200);
      await made.cleanup?.();
    });

    defineDeliveryTests(queue);
    defineEnqueueTests(queue);
    defineFailureTests(queue);
    defineDepthAndCloseTests(queue);
  });
}

function defineDeliveryTests(queue: () => Queue) {
  it('delivers the payload, job id, name and attempt 1', async () => {
    const def = testJob('deliver');
    const seen = recording();
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 42 }, { jobId: 'the-job' });
    await waitForCount(seen.deliveries, 1);
    expect(seen.deliveries[0]).toMatchObject({ id: 'the-job', n: 42, attempt: 1 });
    await waitForDepth(queue(), def, { waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('delivers jobs in the order they were enqueued with concurrency 1', async () => {
    const def = testJob('fifo');
    const ns = Array.from({ length: 10 }, (_, i) => i + 1);
    await enqueueAll(queue(), def, ns);
    const seen = recording();
    queue().consume(def, seen.handler, { concurrency: 1 });
    await waitForCount(seen.deliveries, ns.length);
    expect(seen.deliveries.map((d) => d.n)).toEqual(ns);
  });

  it('runs at most `concurrency` handlers of a job name at once', async () => {
    const def = testJob('concurrency');
    let running = 0;
    let maxRunning = 0;
    const seen = recording(async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(25);
      running -= 1;
    });
    await enqueueAll(
      queue(),
      def,
      Array.from({ length: 20 }, (_, i) => i),
    );
    queue().consume(def, seen.handler, { concurrency: 4 });
    await waitForCount(seen.deliveries, 20);
    await waitForDepth(queue(), def, { waiting: 0, active: 0 });
    expect(maxRunning).toBe(4);
    expect(new Set(seen.deliveries.map((d) => d.n)).size).toBe(20);
  });

  it('stops delivering after consumer.stop(), which waits for the active handlers', async () => {
    const def = testJob('stop');
    let finished = 0;
    const seen = recording(async () => {
      await sleep(100);
      finished += 1;
    });
    const consumer = queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'before-stop' });
    await waitForCount(seen.deliveries, 1);
    await consumer.stop();
    expect(finished).toBe(1);
    await queue().enqueue(def, { n: 2 }, { jobId: 'after-stop' });
    await sleep(250);
    expect(seen.deliveries.map((d) => d.n)).toEqual([1]);
    expect(await queue().depth(def)).toMatchObject({ waiting: 1, active: 0 });
  });

  // How a consumer that took no job while jobs waited is replaced (a worker's progress check).
  it('lets a stopped consumer be replaced: the new one takes the jobs that waited', async () => {
    const def = testJob('replace');
    const first = recording();
    const stale = queue().consume(def, first.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'before' });
    await waitForCount(first.deliveries, 1);
    await stale.stop();
    await queue().enqueue(def, { n: 2 }, { jobId: 'between' });
    const second = recording();
    queue().consume(def, second.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 3 }, { jobId: 'after' });
    await waitForCount(second.deliveries, 2);
    expect(first.deliveries.map((d) => d.n)).toEqual([1]);
    expect(second.deliveries.map((d) => d.n)).toEqual([2, 3]);
  });

  it('refuses a second consumer for the same job name', () => {
    const def = testJob('two-consumers');
    queue().consume(def, async () => {}, { concurrency: 1 });
    expect(() => queue().consume(def, async () => {}, { concurrency: 1 })).toThrow(def.name);
  });
}

function defineEnqueueTests(queue: () => Queue) {
  it('adds a job id only once while it is waiting', async () => {
    const def = testJob('dedupe-waiting');
    await queue().enqueue(def, { n: 1 }, { jobId: 'same' });
    await queue().enqueue(def, { n: 2 }, { jobId: 'same' });
    expect(await queue().depth(def)).toMatchObject({ waiting: 1 });
    const seen = recording();
    queue().consume(def, seen.handler, { concurrency: 1 });
    await waitForDepth(queue(), def, { waiting: 0, active: 0 });
    await sleep(100);
    expect(seen.deliveries.map((d) => d.n)).toEqual([1]);
  });

  it('adds a job id only once while it is active, and again once it has completed', async () => {
    const def = testJob('dedupe-active');
    const release = gate();
    const seen = recording(() => release.opened);
    queue().consume(def, seen.handler, { concurrency: 2 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'same' });
    await waitForCount(seen.deliveries, 1);
    await queue().enqueue(def, { n: 2 }, { jobId: 'same' });
    release.open();
    await waitForDepth(queue(), def, { waiting: 0, active: 0 });
    await sleep(100);
    expect(seen.deliveries.map((d) => d.n)).toEqual([1]);

    await queue().enqueue(def, { n: 3 }, { jobId: 'same' });
    await waitForCount(seen.deliveries, 2);
    expect(seen.deliveries.map((d) => d.n)).toEqual([1, 3]);
  });

  it('accepts the id of a failed job again', async () => {
    const def = testJob('requeue-failed');
    const seen = recording(async (job) => {
      if (job.payload.n === 1) throw new Error('first one fails');
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'same' });
    await waitForDepth(queue(), def, { failed: 1, active: 0 });
    await queue().enqueue(def, { n: 2 }, { jobId: 'same' });
    await waitForCount(seen.deliveries, 2);
    expect(seen.deliveries.map((d) => d.n)).toEqual([1, 2]);
    await waitForDepth(queue(), def, { waiting: 0, active: 0 });
  });

  it('enqueueMany adds each job as enqueue would: in order, once per id, a failed id again', async () => {
    const def = testJob('bulk');
    const seen = recording(async (job) => {
      if (job.payload.n === 1) throw new Error('first one fails');
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'failed-before' });
    await waitForDepth(queue(), def, { failed: 1, active: 0 });
    const bulk = [2, 3, 3, 4].map((n) => ({ payload: { n }, options: { jobId: `bulk-${n}` } }));
    await queue().enqueueMany?.(def, [...bulk, { payload: { n: 5 }, options: { jobId: 'failed-before' } }]);
    await waitForCount(seen.deliveries, 5);
    expect(seen.deliveries.map((d) => d.n)).toEqual([1, 2, 3, 4, 5]);
    await waitForDepth(queue(), def, { waiting: 0, active: 0, failed: 0 });
  });

  it('does not deliver a delayed job before its delay', async () => {
    const def = testJob('delayed');
    const seen = recording();
    queue().consume(def, seen.handler, { concurrency: 1 });
    const enqueuedAt = performance.now();
    await queue().enqueue(def, { n: 1 }, { jobId: 'later', delayMs: 300 });
    await queue().enqueue(def, { n: 2 }, { jobId: 'now' });
    await waitForCount(seen.deliveries, 1);
    expect(seen.deliveries[0]?.n).toBe(2);
    expect(await queue().depth(def)).toMatchObject({ delayed: 1 });
    await waitForCount(seen.deliveries, 2);
    expect(seen.deliveries[1]?.n).toBe(1);
    expect((seen.deliveries[1]?.at ?? 0) - enqueuedAt).toBeGreaterThanOrEqual(250);
  });

  it('rejects a payload that does not match the schema, naming the job', async () => {
    const def = testJob('invalid');
    await expect(queue().enqueue(def, { n: 1.5 }, { jobId: 'bad' })).rejects.toThrow(def.name);
    expect(await queue().depth(def)).toMatchObject({ waiting: 0, delayed: 0 });
  });
}

function defineFailureTests(queue: () => Queue) {
  it('retries with doubling delays, attempts 1..N, then counts the job failed', async () => {
    const def = testJob('retry', { attempts: 3, backoffMs: 50 });
    const seen = recording(async () => {
      throw new Error('always fails');
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'flaky' });
    await waitForDepth(queue(), def, { failed: 1, waiting: 0, active: 0, delayed: 0 });
    expect(seen.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
    const [first, second, third] = seen.deliveries.map((d) => d.at);
    // Jitter is ±20 %: the first retry waits at least 40 ms, the second at least 80 ms.
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(35);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(75);
  });

  it('completes a job that succeeds on a retry without counting it failed', async () => {
    const def = testJob('retry-succeeds', { attempts: 3, backoffMs: 20 });
    const seen = recording(async (job) => {
      if (job.attempt === 1) throw new Error('transient');
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'transient' });
    await waitForCount(seen.deliveries, 2);
    await waitForDepth(queue(), def, { waiting: 0, active: 0, delayed: 0 });
    await sleep(100);
    expect(seen.deliveries.map((d) => d.attempt)).toEqual([1, 2]);
    expect(await queue().depth(def)).toMatchObject({ failed: 0 });
  });

  it('does not retry a PermanentJobError', async () => {
    const def = testJob('permanent', { attempts: 5, backoffMs: 20 });
    const seen = recording(async () => {
      throw new PermanentJobError('no point retrying');
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'doomed' });
    await waitForDepth(queue(), def, { failed: 1, active: 0, delayed: 0 });
    await sleep(150);
    expect(seen.deliveries).toHaveLength(1);
  });

  it('retries handlers that throw a non-Error value or throw synchronously', async () => {
    const thrown = testJob('throws-string', { attempts: 2, backoffMs: 20 });
    const sync = testJob('throws-sync', { attempts: 2, backoffMs: 20 });
    const throwsString = recording(async () => {
      throw 'not an error';
    });
    const syncHandler: JobHandler<TestPayload> = () => {
      throw undefined;
    };
    const throwsSync = recording(syncHandler);
    queue().consume(thrown, throwsString.handler, { concurrency: 1 });
    queue().consume(sync, throwsSync.handler, { concurrency: 1 });
    await queue().enqueue(thrown, { n: 1 }, { jobId: 'a' });
    await queue().enqueue(sync, { n: 1 }, { jobId: 'b' });
    await waitForDepth(queue(), thrown, { failed: 1, active: 0, delayed: 0 });
    await waitForDepth(queue(), sync, { failed: 1, active: 0, delayed: 0 });
    expect(throwsString.deliveries.map((d) => d.attempt)).toEqual([1, 2]);
    expect(throwsSync.deliveries.map((d) => d.attempt)).toEqual([1, 2]);
  });

  it("aborts the handler's signal with a TimeoutError after timeoutMs", async () => {
    const def = testJob('timeout', { timeoutMs: 100 });
    let abortedAfter = Number.NaN;
    let reason: unknown;
    const seen = recording((_job, signal) => {
      const started = performance.now();
      return new Promise<void>((_, reject) => {
        signal.addEventListener('abort', () => {
          abortedAfter = performance.now() - started;
          reason = signal.reason;
          reject(signal.reason);
        });
      });
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'slow' });
    await waitForDepth(queue(), def, { failed: 1, active: 0 });
    expect(abortedAfter).toBeGreaterThanOrEqual(90);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('gives up on a handler that ignores its timed-out signal and frees its slot', async () => {
    const def = testJob('stuck', { timeoutMs: 50, attempts: 2, backoffMs: 20 });
    const seen = recording((job) => (job.attempt === 1 ? new Promise<void>(() => {}) : Promise.resolve()));
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'stuck' });
    await waitForCount(seen.deliveries, 2);
    await waitForDepth(queue(), def, { waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(seen.deliveries.map((d) => d.attempt)).toEqual([1, 2]);
  });
}

function defineDepthAndCloseTests(queue: () => Queue) {
  it('reports waiting, active, delayed and the age of the oldest waiting job', async () => {
    const def = testJob('depth');
    expect(await queue().depth(def)).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      oldestWaitingMs: null,
    });
    await enqueueAll(queue(), def, [1, 2, 3]);
    await queue().enqueue(def, { n: 4 }, { jobId: 'much-later', delayMs: 60_000 });
    const release = gate();
    queue().consume(def, () => release.opened, { concurrency: 1 });
    await waitForDepth(queue(), def, { waiting: 2, active: 1, delayed: 1, failed: 0 });
    await sleep(120);
    const depth = await queue().depth(def);
    expect(depth).toMatchObject({ waiting: 2, active: 1, delayed: 1 });
    expect(depth.oldestWaitingMs).toBeGreaterThanOrEqual(100);
    release.open();
    await waitForDepth(queue(), def, { waiting: 0, active: 0, delayed: 1, oldestWaitingMs: null });
  });

  it('close waits for active handlers that finish within the grace period', async () => {
    const def = testJob('close-in-time');
    const outcome = { finished: false, aborted: false };
    const seen = recording(async (_job, signal) => {
      await sleep(150);
      outcome.finished = true;
      outcome.aborted = signal.aborted;
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'finishing' });
    await waitForCount(seen.deliveries, 1);
    await queue().close(5_000);
    expect(outcome).toEqual({ finished: true, aborted: false });
  });

  it('close aborts handlers still running after the grace period, then resolves', async () => {
    const def = testJob('close-late');
    let reason: unknown;
    const seen = recording((_job, signal) => {
      signal.addEventListener('abort', () => {
        reason = signal.reason;
      });
      return new Promise<void>(() => {});
    });
    queue().consume(def, seen.handler, { concurrency: 1 });
    await queue().enqueue(def, { n: 1 }, { jobId: 'never-ends' });
    await waitForCount(seen.deliveries, 1);
    const started = performance.now();
    await queue().close(100);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(reason).toMatchObject({ name: 'AbortError' });
  });

  it('rejects enqueue after close', async () => {
    const def = testJob('after-close');
    await queue().close(100);
    await expect(queue().enqueue(def, { n: 1 }, { jobId: 'too-late' })).rejects.toThrow(/closed/);
  });
}
