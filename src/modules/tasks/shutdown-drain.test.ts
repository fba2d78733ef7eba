import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { createTestTasksModule } from '../../../test/support/tasks-module.js';
import { openPgliteStore, type Store } from '../../platform/db/index.js';
import { ok } from '../../platform/errors.js';
import { createInProcessQueue, outbox as outboxTable } from '../../platform/queue/index.js';
import { defineTool } from '../tools/index.js';
import type { Plan } from './plan.js';
import { steps } from './tasks.tables.js';

const chain: Plan = {
  planner: 'rule',
  steps: [
    { key: 'a', tool: 'gate', input: {}, dependsOn: [] },
    { key: 'b', tool: 'gate', input: {}, dependsOn: ['a'] },
  ],
};

const until = async (check: () => Promise<boolean> | boolean) => {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('a worker that is shutting down', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openPgliteStore({ dataDir: 'memory://', templatePath: PGLITE_TEMPLATE });
    await store.migrate();
  });
  afterAll(() => store.close());

  /** A tasks module whose one tool waits until the test opens its gate. */
  function setUp() {
    let runs = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const tool = defineTool({
      name: 'gate',
      description: 'waits for the test',
      input: z.looseObject({}),
      output: z.object({ run: z.number() }),
      sideEffects: false,
      timeoutMs: 5_000,
      maxOutputBytes: 1_024,
      run: async () => {
        runs++;
        await gate;
        return ok({ run: runs });
      },
    });
    const queue = createInProcessQueue();
    const tasks = createTestTasksModule(store, queue, [tool]);
    const stepStatus = async (taskId: string, key: string) =>
      (await store.db.select().from(steps).where(eq(steps.taskId, taskId))).find((s) => s.key === key)
        ?.status;
    return { tasks, queue, open, runs: () => runs, stepStatus };
  }

  const start = async (setup: ReturnType<typeof setUp>, requestId: string) => {
    setup.tasks.startRelay();
    await setup.tasks.startWorker();
    const { task } = await setup.tasks.service.createPlanned(
      { tenantId: 'default', userId: 'local', description: 'two gated steps', requestId },
      chain,
    );
    await until(() => setup.runs() === 1);
    return task.id;
  };

  it('runs the next step of a chain at once while it is not shutting down', async () => {
    const setup = setUp();
    const taskId = await start(setup, 'drain-control');
    setup.open();
    await until(async () => (await setup.stepStatus(taskId, 'b')) === 'completed');
    expect(setup.runs()).toBe(2);
    await setup.tasks.stop();
    await setup.queue.close(1_000);
  });

  it('finishes its running step but leaves the next one of the chain to the queue', async () => {
    const setup = setUp();
    const taskId = await start(setup, 'drain-shutdown');
    await setup.tasks.stop();
    setup.open();
    await until(async () => (await setup.stepStatus(taskId, 'a')) === 'completed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await setup.stepStatus(taskId, 'b')).toBe('ready');
    expect(setup.runs()).toBe(1);
    // The step waits in the outbox for whichever process relays next.
    const outbox = await store.db.select().from(outboxTable);
    expect(outbox.some((row) => (row.payload as { stepId?: string }).stepId !== undefined)).toBe(true);
    await setup.queue.close(1_000);
  });
});
