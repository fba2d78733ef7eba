import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createInProcessQueue } from './in-process-queue.js';
import { defineQueueContract } from './queue.contract.js';
import type { JobDefinition, Queue } from './queue.js';
import { recording, testJob } from './queue-contract-support.js';
import { retryDelayMs } from './retry-delay.js';

defineQueueContract('in-process', async () => ({ queue: createInProcessQueue({ abandonGraceMs: 100 }) }));

describe('retryDelayMs', () => {
  it('doubles per failed attempt within ±20 % jitter', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(100, attempt, () => 0.5))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(retryDelayMs(100, 1, () => 0)).toBe(80);
    expect(retryDelayMs(100, 1, () => 0.999_999)).toBe(120);
    expect(retryDelayMs(1_000, 3, () => 0)).toBe(3_200);
  });

  it('never exceeds what a timer can wait', () => {
    expect(retryDelayMs(60_000, 40, () => 0.5)).toBe(2 ** 31 - 1);
  });
});

describe('createInProcessQueue on a fake clock', () => {
  let clock: number;
  let queue: Queue;
  const advance = async (ms: number) => {
    clock += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };

  beforeEach(() => {
    vi.useFakeTimers();
    clock = 1_000_000;
  });
  afterEach(async () => {
    // Real timers first: close's own grace timer must be able to fire.
    vi.useRealTimers();
    await queue.close(0);
  });

  it('waits exactly the jittered backoff before a retry', async () => {
    queue = createInProcessQueue({ random: () => 0, now: () => clock });
    const def = testJob('jitter-low', { attempts: 3, backoffMs: 100 });
    const seen = recording(async () => {
      throw new Error('fails');
    });
    queue.consume(def, seen.handler, { concurrency: 1 });
    await queue.enqueue(def, { n: 1 }, { jobId: 'j' });
    await advance(0);
    expect(seen.deliveries).toHaveLength(1);
    await advance(79);
    expect(seen.deliveries).toHaveLength(1);
    await advance(1);
    expect(seen.deliveries).toHaveLength(2);
    await advance(159);
    expect(seen.deliveries).toHaveLength(2);
    await advance(1);
    expect(seen.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
  });

  it('uses the upper jitter bound when random is near 1', async () => {
    queue = createInProcessQueue({ random: () => 0.999_999, now: () => clock });
    const def = testJob('jitter-high', { attempts: 2, backoffMs: 100 });
    const seen = recording(async () => {
      throw new Error('fails');
    });
    queue.consume(def, seen.handler, { concurrency: 1 });
    await queue.enqueue(def, { n: 1 }, { jobId: 'j' });
    await advance(119);
    expect(seen.deliveries).toHaveLength(1);
    await advance(1);
    expect(seen.deliveries).toHaveLength(2);
  });

  it('measures oldestWaitingMs on the injected clock from when the job became ready', async () => {
    queue = createInProcessQueue({ now: () => clock });
    const def = testJob('oldest');
    await queue.enqueue(def, { n: 1 }, { jobId: 'delayed', delayMs: 500 });
    expect((await queue.depth(def)).oldestWaitingMs).toBeNull();
    await advance(500);
    await advance(250);
    await queue.enqueue(def, { n: 2 }, { jobId: 'fresh' });
    expect(await queue.depth(def)).toMatchObject({ waiting: 2, delayed: 0, oldestWaitingMs: 250 });
  });

  it('counts a handler that ignores its signal as failed 2 s after its timeout by default', async () => {
    queue = createInProcessQueue({ now: () => clock });
    const def = testJob('ignores-signal', { timeoutMs: 100 });
    let aborted = false;
    const seen = recording((_, signal) => {
      signal.addEventListener('abort', () => {
        aborted = true;
      });
      return new Promise<void>(() => {});
    });
    queue.consume(def, seen.handler, { concurrency: 1 });
    await queue.enqueue(def, { n: 1 }, { jobId: 'stuck' });
    await advance(100);
    expect(aborted).toBe(true);
    await advance(1_999);
    expect(await queue.depth(def)).toMatchObject({ active: 1, failed: 0 });
    await advance(1);
    expect(await queue.depth(def)).toMatchObject({ active: 0, failed: 1 });
  });

  it('drops delayed jobs at close instead of delivering them', async () => {
    queue = createInProcessQueue({ now: () => clock });
    const def = testJob('close-delayed');
    const seen = recording();
    queue.consume(def, seen.handler, { concurrency: 1 });
    await queue.enqueue(def, { n: 1 }, { jobId: 'later', delayMs: 100 });
    await queue.close(0);
    await advance(1_000);
    expect(seen.deliveries).toHaveLength(0);
  });
});

describe('createInProcessQueue', () => {
  let queue: Queue;
  afterEach(async () => {
    await queue.close(0);
  });

  it('remembers only the latest keepFailed failures, so failed jobs cannot grow memory', async () => {
    queue = createInProcessQueue({ keepFailed: 3 });
    const def = testJob('failed-bound');
    const seen = recording(async (job) => {
      if (job.payload.n < 100) throw new Error('fails');
    });
    queue.consume(def, seen.handler, { concurrency: 5 });
    for (let n = 0; n < 10; n += 1) await queue.enqueue(def, { n }, { jobId: `job-${n}` });
    await vi.waitFor(async () => expect(await queue.depth(def)).toMatchObject({ active: 0, failed: 3 }));
    // Enqueuing a remembered failure again takes it off the failed list, as the BullMQ adapter will.
    await queue.enqueue(def, { n: 100 }, { jobId: 'job-9' });
    await vi.waitFor(async () => expect(await queue.depth(def)).toMatchObject({ active: 0, failed: 2 }));
    expect(seen.deliveries).toHaveLength(11);
  });

  it('names the job and the zod issue when a payload is invalid', async () => {
    queue = createInProcessQueue();
    const def = testJob('invalid-detail');
    const enqueued = queue.enqueue(def, { n: 1.5 }, { jobId: 'bad' });
    await expect(enqueued).rejects.toThrow(`invalid payload for job "${def.name}"`);
    await expect(enqueued).rejects.toThrow(/expected int[\s\S]*at n/);
  });

  it('rejects a payload that would not survive the JSON a broker stores', async () => {
    queue = createInProcessQueue();
    const def: JobDefinition<{ at: Date }> = {
      name: 'dated',
      payload: z.object({ at: z.date() }),
      attempts: 1,
      backoffMs: 0,
      timeoutMs: 1_000,
    };
    await expect(queue.enqueue(def, { at: new Date() }, { jobId: 'd' })).rejects.toThrow(/dated.*JSON/);
  });

  it('gives each delivery its own copy of the payload', async () => {
    queue = createInProcessQueue();
    const def = testJob('own-copy', { attempts: 2, backoffMs: 0 });
    const seen = recording(async (job) => {
      job.payload.n += 1;
      if (job.attempt === 1) throw new Error('retry me');
    });
    queue.consume(def, seen.handler, { concurrency: 1 });
    await queue.enqueue(def, { n: 7 }, { jobId: 'copy' });
    await vi.waitFor(() => expect(seen.deliveries).toHaveLength(2));
    expect(seen.deliveries.map((d) => d.n)).toEqual([7, 7]);
  });

  it('rejects job names and settings the distributed queue could not take', async () => {
    queue = createInProcessQueue();
    const colon = testJob('ok', {});
    const bad = { ...colon, name: 'steps:run' };
    expect(() => queue.consume(bad, async () => {}, { concurrency: 1 })).toThrow(/steps:run/);
    await expect(queue.enqueue(bad, { n: 1 }, { jobId: 'x' })).rejects.toThrow(/steps:run/);
    expect(() => queue.consume(colon, async () => {}, { concurrency: 0 })).toThrow(/concurrency/);
    const noAttempts = testJob('no-attempts', { attempts: 0 });
    expect(() => queue.consume(noAttempts, async () => {}, { concurrency: 1 })).toThrow(/attempts/);
    await expect(queue.enqueue(colon, { n: 1 }, { jobId: '' })).rejects.toThrow(/jobId/);
  });

  it('lets a job name be consumed again after its consumer stopped, waiting jobs included', async () => {
    queue = createInProcessQueue();
    const def = testJob('reconsume');
    const first = queue.consume(def, async () => {}, { concurrency: 1 });
    await first.stop();
    await queue.enqueue(def, { n: 1 }, { jobId: 'waited' });
    expect(await queue.depth(def)).toMatchObject({ waiting: 1 });
    const seen = recording();
    queue.consume(def, seen.handler, { concurrency: 1 });
    await vi.waitFor(() => expect(seen.deliveries.map((d) => d.n)).toEqual([1]));
  });

  it('refuses consume after close', async () => {
    queue = createInProcessQueue();
    await queue.close();
    expect(() => queue.consume(testJob('late'), async () => {}, { concurrency: 1 })).toThrow(/closed/);
  });
});
