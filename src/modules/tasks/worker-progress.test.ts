import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { createTestTasksModule } from '../../../test/support/tasks-module.js';
import { openPgliteStore, type Store } from '../../platform/db/index.js';
import type { Consumer, Queue, QueueDepth } from '../../platform/queue/index.js';

/** A queue connected but silent: it reports waiting jobs and never delivers one (a worker that stopped after a reconnect). */
function silentQueue(depth: QueueDepth) {
  let consumers = 0;
  const queue: Queue = {
    kind: 'bullmq',
    enqueue: async () => {},
    consume: (): Consumer => {
      consumers++;
      return { stop: async () => {} };
    },
    depth: async () => depth,
    close: async () => {},
  };
  return { queue, consumers: () => consumers };
}

describe('worker health means progress', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openPgliteStore({ dataDir: 'memory://', templatePath: PGLITE_TEMPLATE });
    await store.migrate();
  });
  afterAll(() => store.close());

  const moduleWith = (queue: Queue) => createTestTasksModule(store, queue, [], { stuckAfterMs: 50 });

  it('is not ready when jobs wait and none was taken for a while, and recreates its consumer', async () => {
    const { queue, consumers } = silentQueue({
      waiting: 3,
      active: 0,
      delayed: 0,
      failed: 0,
      oldestWaitingMs: 1000,
    });
    const tasks = moduleWith(queue);
    await tasks.startWorker();
    expect(await tasks.progressProblem()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await tasks.progressProblem()).toMatch(/no job taken for \d+ s while 3 wait/);
    expect(consumers()).toBe(2);
    // The new consumer gets its own grace period before it is judged again.
    expect(await tasks.progressProblem()).toBeUndefined();
    await tasks.stop();
  });

  it('is ready while idle with nothing waiting', async () => {
    const { queue, consumers } = silentQueue({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      oldestWaitingMs: null,
    });
    const tasks = moduleWith(queue);
    await tasks.startWorker();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await tasks.progressProblem()).toBeUndefined();
    expect(consumers()).toBe(1);
    await tasks.stop();
  });
});
