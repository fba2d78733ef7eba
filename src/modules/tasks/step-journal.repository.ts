import { and, eq, inArray, or, sql } from 'drizzle-orm';
import {
  createGroupCommit,
  type Db,
  type DbOrTx,
  jsonRows,
  queryRows,
  type Tx,
  uuidArray,
} from '../../platform/db/index.js';
import { outbox } from '../../platform/queue/index.js';
import { approvalStatements } from '../approvals/index.js';
import { jobRows } from './outbox-rows.js';
import {
  type Completion,
  type CompletionResult,
  completeSteps,
  type SubmittedCompletion,
  submitted,
} from './step-completions.js';
import { type ClaimedStep, fromJson, stepColumns, type TaskRow } from './task-rows.js';
import { steps, tasks } from './tasks.tables.js';

/** A task in these states still runs steps: one step waiting for approval does not hold its siblings back. */
export const activeTaskStatuses = ['queued', 'running', 'awaiting_approval'] as const;

/**
 * A step failed for good: the task fails with its error, its unstarted and waiting steps are
 * cancelled, and its pending approvals closed. Returns the task when this call finished it.
 */
export async function failTask(
  tx: Tx,
  taskId: string,
  stepKey: string,
  error: { code: string; message: string; retryable?: boolean },
): Promise<TaskRow | undefined> {
  await tx
    .update(steps)
    .set({ status: 'cancelled', updatedAt: new Date() })
    .where(and(eq(steps.taskId, taskId), inArray(steps.status, ['pending', 'ready', 'awaiting_approval'])));
  await approvalStatements.closeForTask(tx, taskId);
  const [finished] = await tx
    .update(tasks)
    .set({
      status: 'failed',
      error: { ...error, step: stepKey },
      updatedAt: new Date(),
      finishedAt: new Date(),
    })
    .where(and(eq(tasks.id, taskId), inArray(tasks.status, activeTaskStatuses)))
    .returning();
  return finished;
}

/**
 * A CTE that locks the step's task row for the rest of the transaction; the statement that records
 * the step uses it, so locking costs no round trip of its own. Steps of one task that finish at the
 * same time are recorded one after the other, and the statements after the lock see every sibling
 * that finished before it was granted (otherwise two parallel branches could each think the other
 * is unfinished when readying dependants).
 */
function lockedTaskOf(tx: Tx, stepId: string) {
  return tx
    .$with('locked')
    .as(
      tx
        .select({ id: tasks.id, status: tasks.status })
        .from(tasks)
        .where(sql`${tasks.id} = (SELECT ${steps.taskId} FROM ${steps} WHERE ${steps.id} = ${stepId})`)
        .for('update'),
    );
}

/**
 * Writes a running step's outcome, fenced: only while it is still running with the attempt this
 * runner claimed, under its task row's lock (held to the end of the transaction). Undefined when
 * fenced off (the lease was taken over, or the task cancelled).
 */
async function recordFenced(
  tx: Tx,
  stepId: string,
  attempt: number,
  changes: Partial<typeof steps.$inferInsert>,
): Promise<{ taskId: string; key: string; taskStatus: TaskRow['status'] } | undefined> {
  const locked = lockedTaskOf(tx, stepId);
  const [step] = await tx
    .with(locked)
    .update(steps)
    .set({ ...changes, leaseExpiresAt: null, updatedAt: new Date() })
    .from(locked)
    .where(
      and(
        eq(steps.id, stepId),
        eq(steps.status, 'running'),
        eq(steps.attempts, attempt),
        eq(locked.id, steps.taskId),
      ),
    )
    .returning({ taskId: steps.taskId, key: steps.key, taskStatus: locked.status });
  return step;
}

/**
 * Claims a batch of steps in one statement, and moves their tasks from queued to running. A step
 * named twice in a batch (its job delivered twice) is claimed for the first only.
 */
async function claimAll(
  db: Db,
  batch: Array<{ stepId: string; leaseMs: number }>,
): Promise<Array<ClaimedStep | undefined>> {
  const rows = await queryRows<{ row: Record<string, unknown> }>(
    db,
    sql`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${jsonRows(
        batch.map((c) => ({ step_id: c.stepId, lease_ms: c.leaseMs })),
      )}) AS v(step_id uuid, lease_ms int)
    ), claimed AS (
      UPDATE steps s SET status = 'running', attempts = s.attempts + 1,
        lease_expires_at = now() + v.lease_ms * interval '1 millisecond', started_at = now(), updated_at = now()
      FROM v, tasks t
      WHERE s.id = ANY(${uuidArray(batch.map((c) => c.stepId))}) AND s.id = v.step_id AND t.id = s.task_id
        AND t.status IN ('queued', 'running', 'awaiting_approval')
        AND ((s.status = 'ready' AND (s.run_after IS NULL OR s.run_after <= now()))
          OR (s.status = 'running' AND s.lease_expires_at < now()))
      RETURNING s.*, t.request_id AS task_request_id, t.agent AS task_agent,
        t.agent_version AS task_agent_version, t.user_id AS task_user_id
    ), started AS (
      UPDATE tasks SET status = 'running', updated_at = now()
      WHERE status = 'queued' AND id IN (SELECT task_id FROM claimed)
    )
    SELECT to_jsonb(claimed.*) AS row FROM claimed`,
  );
  const byStep = new Map(rows.map(({ row }) => [row.id as string, row]));
  return batch.map((c) => {
    const row = byStep.get(c.stepId);
    if (!row) return undefined;
    byStep.delete(c.stepId);
    return {
      step: fromJson(stepColumns, row),
      task: {
        requestId: row.task_request_id as string,
        agent: row.task_agent as string,
        agentVersion: row.task_agent_version as string,
        userId: row.task_user_id as string,
      },
    };
  });
}

/** The advisory lock key of reconciler passes (any constant unique among Berth's advisory locks). */
const RECONCILER_LOCK = 0x4265_7274; // "Bert"

const strandedIn = (db: DbOrTx, staleMs: number, limit: number) =>
  db
    .select({ id: steps.id, attempts: steps.attempts })
    .from(steps)
    .where(
      or(
        and(
          eq(steps.status, 'ready'),
          or(sql`${steps.runAfter} IS NULL`, sql`${steps.runAfter} <= now()`),
          sql`${steps.updatedAt} < now() - ${`${staleMs} milliseconds`}::interval`,
        ),
        and(eq(steps.status, 'running'), sql`${steps.leaseExpiresAt} < now()`),
      ),
    )
    .limit(limit);

/**
 * The step journal: claiming a step with a lease, renewing it, and recording its result fenced by
 * the attempt number, readying dependants in the same transaction. What makes "at least once, and
 * a completed step never again" hold.
 */
export function createStepJournal(db: Db) {
  const claims = createGroupCommit((batch: Array<{ stepId: string; leaseMs: number }>) =>
    claimAll(db, batch),
  );
  const completions = createGroupCommit((batch: SubmittedCompletion[]) =>
    db.transaction((tx) => completeSteps(tx, batch)),
  );
  return {
    /**
     * Takes a step to run: a ready step whose time has come, or a running one whose lease expired
     * (its worker died), of a task still going. Undefined when the step is not runnable. Claims
     * that arrive together share one statement.
     */
    claimStep: (stepId: string, leaseMs: number): Promise<ClaimedStep | undefined> =>
      claims.submit({ stepId, leaseMs }),
    /** Extends a running step's lease; false when the step is no longer this attempt's (taken over, cancelled). */
    async renewLease(stepId: string, attempt: number, leaseMs: number): Promise<boolean> {
      const renewed = await db
        .update(steps)
        .set({ leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
        .where(and(eq(steps.id, stepId), eq(steps.status, 'running'), eq(steps.attempts, attempt)))
        .returning({ id: steps.id });
      return renewed.length > 0;
    },

    outputsOf: async (taskId: string, keys: string[]): Promise<Map<string, unknown>> => {
      if (keys.length === 0) return new Map();
      const rows = await db
        .select({ key: steps.key, output: steps.output })
        .from(steps)
        .where(and(eq(steps.taskId, taskId), inArray(steps.key, keys), eq(steps.status, 'completed')));
      return new Map(rows.map((r) => [r.key, r.output]));
    },

    /**
     * Records a step's output and readies its dependants in one transaction, shared with the
     * completions of other steps that arrive together (each caller resolved once its own rows are
     * committed). Fenced: a runner whose lease was taken over (attempt no longer current) records
     * nothing and gets `fenced`. With `continueWith`, one newly ready dependant comes back claimed,
     * for this runner to run next.
     */
    completeStep: (done: Completion): Promise<CompletionResult> => completions.submit(submitted(done)),

    /** Records a failure: back to ready after `retryAt`, or failed for good (and the task with it). */
    failStep: (failed: {
      stepId: string;
      attempt: number;
      error: { code: string; message: string; retryable?: boolean };
      durationMs: number;
      retryAt?: Date;
    }) =>
      db.transaction(async (tx) => {
        const step = await recordFenced(tx, failed.stepId, failed.attempt, {
          status: failed.retryAt ? 'ready' : 'failed',
          error: failed.error,
          runAfter: failed.retryAt ?? null,
          durationMs: failed.durationMs,
          finishedAt: failed.retryAt ? null : new Date(),
        });
        if (!step) return { fenced: true as const };
        if (failed.retryAt) {
          await tx.insert(outbox).values(jobRows([failed.stepId], failed.retryAt));
          return { fenced: false as const, finished: undefined };
        }
        return { fenced: false as const, finished: await failTask(tx, step.taskId, step.key, failed.error) };
      }),

    /** A step whose task ended while it ran: recorded as cancelled, output kept. */
    cancelRunningStep: (stepId: string, attempt: number) =>
      db
        .update(steps)
        .set({ status: 'cancelled', leaseExpiresAt: null, finishedAt: new Date(), updatedAt: new Date() })
        .where(and(eq(steps.id, stepId), eq(steps.status, 'running'), eq(steps.attempts, attempt))),

    /** Steps that should be on the queue but may not be: due and ready for a while, or running past their lease. */
    strandedSteps: (staleMs: number, limit: number) => strandedIn(db, staleMs, limit),

    /**
     * Hands the stranded steps to `requeue` under a store-wide advisory lock, so one reconciler pass
     * runs at a time across processes; undefined, touching nothing, while another holds it.
     */
    withStrandedSteps: <R>(
      staleMs: number,
      limit: number,
      requeue: (stranded: Array<{ id: string; attempts: number }>) => Promise<R>,
    ): Promise<R | undefined> =>
      db.transaction(async (tx) => {
        const [lock] = await queryRows<{ held: boolean }>(
          tx,
          sql`SELECT pg_try_advisory_xact_lock(${RECONCILER_LOCK}) AS held`,
        );
        if (!lock?.held) return undefined;
        return requeue(await strandedIn(tx, staleMs, limit));
      }),

    /** After a restart of the only process on an embedded store: whatever was running died with it. */
    releaseAllRunning: async (): Promise<string[]> =>
      (
        await db
          .update(steps)
          .set({ status: 'ready', leaseExpiresAt: null, updatedAt: sql`now() - interval '1 hour'` })
          .where(eq(steps.status, 'running'))
          .returning({ id: steps.id })
      ).map((r) => r.id),
  };
}
