import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../../test/support/services.js';
import { openPostgresStore, type Store } from '../../platform/db/index.js';
import { createTasksRepository, type TasksRepository } from './tasks.repository.js';

const skip = await postgresSkipReason();

// Postgres, not PGlite: only a server runs two transactions at once, which is what this is about.
describe.skipIf(skip)('step journal on Postgres', () => {
  let store: Store;
  let drop: () => Promise<void>;
  let repo: TasksRepository;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    store = await openPostgresStore({ url: db.url, maxConnections: 8 });
    await store.migrate();
    repo = createTasksRepository(store.db);
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });

  const join = (i: number) =>
    repo.insertTask({
      ...{ tenantId: 'default', userId: 'u', agent: 'a', agentVersion: '1', title: 't', description: 'd' },
      ...{ planner: 'explicit', requestId: `join-${i}`, maxAttempts: 1 },
      steps: [
        { key: 'left', tool: 'noop', input: {}, dependsOn: [] },
        { key: 'right', tool: 'noop', input: {}, dependsOn: [] },
        { key: 'join', tool: 'noop', input: {}, dependsOn: ['left', 'right'] },
      ],
    });

  it('readies a join once when its two branches are recorded at the same moment', async () => {
    for (let i = 0; i < 20; i++) {
      const task = await join(i);
      if (!task) throw new Error('task not inserted');
      const branches = (await repo.stepsOf('default', task.id)).filter((s) => s.key !== 'join');
      const claimed = await Promise.all(branches.map((s) => repo.claimStep(s.id, 10_000)));
      const done = await Promise.all(
        claimed.map((c, n) =>
          repo.completeStep({
            stepId: c?.step.id ?? '',
            attempt: c?.step.attempts ?? 0,
            output: { text: `branch ${n}` },
            durationMs: 1,
            tokens: { input: 0, output: 0, costUsd: 0 },
            // One runner continues eagerly, the other would go through the queue: both paths at once.
            continueWith: n === 0 ? { leaseMs: 10_000 } : undefined,
          }),
        ),
      );
      const joinStep = (await repo.stepsOf('default', task.id)).find((s) => s.key === 'join');
      const handedOut = done.flatMap((d) =>
        d.fenced ? [] : [...d.promoted, ...(d.next ? [d.next.id] : [])],
      );
      // Neither missed the other: the join left pending, and exactly one of them handed it out.
      expect(joinStep?.status).not.toBe('pending');
      expect(handedOut).toEqual([joinStep?.id]);
    }
  });

  it('completes the task with the last step by position, even when another finished after it', async () => {
    const task = await repo.insertTask({
      ...{ tenantId: 'default', userId: 'u', agent: 'a', agentVersion: '1', title: 't', description: 'd' },
      ...{ planner: 'explicit', requestId: 'last-by-position', maxAttempts: 1 },
      steps: [
        { key: 'first', tool: 'noop', input: {}, dependsOn: [] },
        { key: 'second', tool: 'noop', input: {}, dependsOn: [] },
      ],
    });
    if (!task) throw new Error('task not inserted');
    const [first, second] = await repo.stepsOf('default', task.id);
    const record = async (stepId: string, output: unknown) => {
      const claimed = await repo.claimStep(stepId, 10_000);
      return repo.completeStep({
        stepId,
        attempt: claimed?.step.attempts ?? 0,
        output,
        durationMs: 1,
        tokens: { input: 0, output: 0, costUsd: 0 },
        continueWith: { leaseMs: 10_000 },
      });
    };
    expect(await record(second?.id ?? '', { summary: 'from second' })).toMatchObject({ finished: undefined });
    const done = await record(first?.id ?? '', { summary: 'from first' });
    expect(done).toMatchObject({ fenced: false, finished: { status: 'completed', result: 'from second' } });
    const stored = await repo.findTask('default', task.id);
    expect(stored).toMatchObject({ status: 'completed', result: 'from second' });
    expect(stored?.finishedAt).toBeInstanceOf(Date);
  });

  it('hands back the claimed dependant as a full row, and records nothing for a stale attempt', async () => {
    const task = await join(200);
    if (!task) throw new Error('task not inserted');
    const [left, right] = await repo.stepsOf('default', task.id);
    for (const step of [left, right]) await repo.claimStep(step?.id ?? '', 10_000);
    const stale = await repo.completeStep({
      stepId: left?.id ?? '',
      attempt: 7,
      output: {},
      durationMs: 1,
      tokens: { input: 0, output: 0, costUsd: 0 },
    });
    expect(stale).toEqual({ fenced: true });
    const base = { output: { text: 'x' }, durationMs: 1, tokens: { input: 1, output: 2, costUsd: 0.5 } };
    await repo.completeStep({ stepId: left?.id ?? '', attempt: 1, ...base });
    const done = await repo.completeStep({
      ...{ stepId: right?.id ?? '', attempt: 1, ...base },
      continueWith: { leaseMs: 10_000 },
    });
    const next = done.fenced ? undefined : done.next;
    expect(next).toMatchObject({
      key: 'join',
      status: 'running',
      attempts: 1,
      taskId: task.id,
      dependsOn: ['left', 'right'],
    });
    expect(next?.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now());
    expect(next?.updatedAt).toBeInstanceOf(Date);
    expect((await repo.findStep('default', task.id, right?.id ?? ''))?.costUsd).toBe(0.5);
  });

  const chain = (name: string) =>
    repo.insertTask({
      ...{ tenantId: 'default', userId: 'u', agent: 'a', agentVersion: '1', title: 't', description: 'd' },
      ...{ planner: 'explicit', requestId: name, maxAttempts: 1 },
      steps: [
        { key: 'a', tool: 'noop', input: {}, dependsOn: [] },
        { key: 'b', tool: 'noop', input: {}, dependsOn: ['a'] },
      ],
    });

  it('claims a step once when its job is delivered twice at the same moment', async () => {
    const task = await chain('twice');
    const [a] = await repo.stepsOf('default', task?.id ?? '');
    const claims = await Promise.all([
      repo.claimStep(a?.id ?? '', 10_000),
      repo.claimStep(a?.id ?? '', 10_000),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await repo.findStep('default', task?.id ?? '', a?.id ?? ''))?.attempts).toBe(1);
  });

  it("gives each completion of a batch its own task's outcome, and fences a stale one alone", async () => {
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => chain(`batch-${i}`)));
    const firsts = await Promise.all(
      made.map(async (task) => (await repo.stepsOf('default', task?.id ?? ''))[0]),
    );
    const claimed = await Promise.all(firsts.map((step) => repo.claimStep(step?.id ?? '', 10_000)));
    const done = await Promise.all(
      claimed.map((c, i) =>
        repo.completeStep({
          stepId: c?.step.id ?? '',
          // The third runner lost its lease: its attempt is no longer current.
          attempt: i === 2 ? 9 : (c?.step.attempts ?? 0),
          output: { text: `a of ${i}` },
          durationMs: 1,
          tokens: { input: 0, output: 0, costUsd: 0 },
          // Even runners continue with b; odd ones leave it to the queue.
          continueWith: i % 2 === 0 ? { leaseMs: 10_000 } : undefined,
        }),
      ),
    );
    for (const [i, outcome] of done.entries()) {
      const task = made[i];
      const b = (await repo.stepsOf('default', task?.id ?? '')).find((s) => s.key === 'b');
      if (i === 2) {
        expect(outcome).toEqual({ fenced: true });
        expect(b?.status).toBe('pending');
      } else if (i % 2 === 0) {
        expect(outcome).toMatchObject({ fenced: false, promoted: [], next: { id: b?.id, taskId: task?.id } });
        expect(b?.status).toBe('running');
      } else {
        expect(outcome).toMatchObject({ fenced: false, promoted: [b?.id] });
        expect(outcome.fenced || outcome.next).toBeFalsy();
        expect(b?.status).toBe('ready');
      }
    }
  });

  it('runs one reconciler pass at a time across processes', async () => {
    const other = createTasksRepository(store.db);
    const inside = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    const first = repo.withStrandedSteps(0, 10, async () => {
      inside.resolve();
      await release.promise;
      return 'first';
    });
    await inside.promise;
    expect(await other.withStrandedSteps(0, 10, async () => 'second')).toBeUndefined();
    release.resolve();
    expect(await first).toBe('first');
    expect(await other.withStrandedSteps(0, 10, async (stranded) => stranded.length)).toBeTypeOf('number');
  });
});
