import { and, eq, getTableColumns, inArray, or, sql } from 'drizzle-orm';
import { type Db, type DbOrTx, queryRows, type Tx } from '../../platform/db/index.js';
import { outbox } from '../../platform/queue/index.js';
import { captureTraceContext } from '../../platform/telemetry/index.js';
import { approvalStatements } from '../approvals/index.js';
import { jobRows, STEP_JOB } from './outbox-rows.js';
import { resultText } from './task-result.js';
import type { ClaimedStep, StepRow, TaskRow } from './task-rows.js';
import { steps, tasks } from './tasks.tables.js';

/** A task in these states still runs steps: one step waiting for approval does not hold its siblings back. */
export const activeTaskStatuses = ['queued', 'running', 'awaiting_approval'] as const;

/** What claiming a step writes: running, one more attempt, a lease. */
const claimChanges = (leaseMs: number) => ({
  status: 'running' as const,
  attempts: sql`${steps.attempts} + 1`,
  leaseExpiresAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`,
  startedAt: sql`now()`,
  updatedAt: new Date(),
});

type Columns = ReturnType<typeof getTableColumns>;

/** A row from its `to_jsonb`: raw statements get no drizzle mapping, and jsonb reads the same on both drivers. */
function fromJson<R>(columns: Columns, json: Record<string, unknown>): R {
  const row: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns)) {
    const value = json[column.name] ?? null;
    row[field] = value !== null && column.columnType === 'PgTimestamp' ? new Date(value as string) : value;
  }
  return row as R;
}
const stepColumns = getTableColumns(steps);
const taskColumns = getTableColumns(tasks);

interface Advanced {
  queued: string[];
  claimed?: StepRow;
  finished?: TaskRow;
}

/**
 * After a step completed (an earlier statement of the same transaction, under the task row lock):
 * the steps whose dependencies have all completed become ready — the first of them claimed at once
 * with `claim` (no outbox row, no queue round trip), the others with outbox rows — or, when none is
 * left, the task completes with the last step's text. One statement; it runs after the lock was
 * granted, so it sees every sibling that finished before.
 */
async function advanceTask(
  tx: Tx,
  task: { id: string; lastOutput: unknown; completedStepId: string },
  claim?: { leaseMs: number },
): Promise<Advanced> {
  const [row] = await queryRows<{
    queued: string[] | null;
    claimed: Record<string, unknown> | null;
    finished: Record<string, unknown> | null;
    last_is_ours: boolean | null;
    last_output: unknown;
  }>(
    tx,
    sql`
    WITH task AS (
      SELECT id FROM tasks WHERE id = ${task.id} AND status IN ('running', 'awaiting_approval')
    ), candidates AS (
      SELECT s.id, s.position FROM steps s JOIN task ON s.task_id = task.id
      WHERE s.status = 'pending' AND NOT EXISTS (
        SELECT 1 FROM steps d WHERE d.task_id = s.task_id AND d.key = ANY(s.depends_on) AND d.status <> 'completed'
      )
    ), first AS (
      SELECT id FROM candidates WHERE ${claim !== undefined} ORDER BY position LIMIT 1
    ), claimed AS (
      UPDATE steps s SET status = 'running', attempts = s.attempts + 1,
        lease_expires_at = now() + ${`${claim?.leaseMs ?? 0} milliseconds`}::interval,
        started_at = now(), updated_at = now()
      FROM first WHERE s.id = first.id
      RETURNING s.*
    ), readied AS (
      UPDATE steps s SET status = 'ready', updated_at = now()
      FROM candidates c WHERE s.id = c.id AND c.id NOT IN (SELECT id FROM first)
      RETURNING s.id
    ), queued AS (
      INSERT INTO outbox (job_name, payload, trace_context)
      SELECT ${STEP_JOB}, jsonb_build_object('stepId', id), ${traceContextJson()}::jsonb FROM readied
    ), last AS (
      SELECT s.id, s.output FROM steps s JOIN task ON s.task_id = task.id ORDER BY s.position DESC LIMIT 1
    ), finished AS (
      UPDATE tasks t SET status = 'completed', updated_at = now(), finished_at = now(),
        result = CASE WHEN (SELECT id FROM last) = ${task.completedStepId} THEN ${resultText(task.lastOutput)}::text END
      FROM task WHERE t.id = task.id
        AND NOT EXISTS (SELECT 1 FROM candidates)
        AND NOT EXISTS (SELECT 1 FROM steps WHERE task_id = task.id AND status <> 'completed')
      RETURNING t.*
    )
    SELECT (SELECT jsonb_agg(id) FROM readied) AS queued,
      (SELECT to_jsonb(claimed.*) FROM claimed) AS claimed,
      (SELECT to_jsonb(finished.*) FROM finished) AS finished,
      (SELECT id = ${task.completedStepId} FROM last) AS last_is_ours,
      (SELECT output FROM last WHERE id <> ${task.completedStepId}) AS last_output`,
  );
  const advanced: Advanced = {
    queued: row?.queued ?? [],
    claimed: row?.claimed ? fromJson<StepRow>(stepColumns, row.claimed) : undefined,
  };
  if (!row?.finished) return advanced;
  const finished = fromJson<TaskRow>(taskColumns, row.finished);
  if (row.last_is_ours) return { ...advanced, finished };
  // The last step by position finished before this one (parallel branches): its text is the
  // result, made by the same function as always (SQL would print JSON differently).
  const result = resultText(row.last_output);
  await tx.update(tasks).set({ result }).where(eq(tasks.id, task.id));
  return { ...advanced, finished: { ...finished, result } };
}

const traceContextJson = () => {
  const carrier = captureTraceContext();
  return carrier ? JSON.stringify(carrier) : null;
};

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
  return {
    /**
     * Takes a step to run: a ready step whose time has come, or a running one whose lease expired
     * (its worker died), of a task still going. Undefined when the step is not runnable.
     */
    async claimStep(stepId: string, leaseMs: number): Promise<ClaimedStep | undefined> {
      // One statement: the claim, and the task's move from queued to running.
      const claimed = db.$with('claimed').as(
        db
          .update(steps)
          .set(claimChanges(leaseMs))
          .from(tasks)
          .where(
            and(
              eq(steps.id, stepId),
              eq(tasks.id, steps.taskId),
              inArray(tasks.status, activeTaskStatuses),
              or(
                and(
                  eq(steps.status, 'ready'),
                  or(sql`${steps.runAfter} IS NULL`, sql`${steps.runAfter} <= now()`),
                ),
                and(eq(steps.status, 'running'), sql`${steps.leaseExpiresAt} < now()`),
              ),
            ),
          )
          .returning({
            ...getTableColumns(steps),
            requestId: tasks.requestId,
            agent: tasks.agent,
            agentVersion: tasks.agentVersion,
            userId: tasks.userId,
          }),
      );
      const started = db.$with('started').as(
        db
          .update(tasks)
          .set({ status: 'running', updatedAt: new Date() })
          .where(
            and(
              eq(tasks.status, 'queued'),
              inArray(tasks.id, db.select({ id: claimed.taskId }).from(claimed)),
            ),
          )
          .returning({ id: tasks.id }),
      );
      const [row] = await db.with(claimed, started).select().from(claimed);
      if (!row) return undefined;
      const { requestId, agent, agentVersion, userId, ...step } = row;
      return { step, task: { requestId, agent, agentVersion, userId } };
    },

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
     * Records a step's output and readies its dependants in one transaction. Fenced: a runner whose
     * lease was taken over (attempt no longer current) records nothing and gets `fenced`. With
     * `continueWith`, one newly ready dependant comes back claimed, for this runner to run next.
     */
    completeStep: (done: {
      stepId: string;
      attempt: number;
      output: unknown;
      durationMs: number;
      tokens: { input: number; output: number; costUsd: number };
      continueWith?: { leaseMs: number };
    }) =>
      db.transaction(async (tx) => {
        const step = await recordFenced(tx, done.stepId, done.attempt, {
          status: 'completed',
          output: done.output,
          error: null,
          durationMs: done.durationMs,
          inputTokens: done.tokens.input,
          outputTokens: done.tokens.output,
          costUsd: done.tokens.costUsd,
          finishedAt: new Date(),
        });
        if (!step) return { fenced: true as const };
        if (step.taskStatus !== 'running' && step.taskStatus !== 'awaiting_approval')
          return { fenced: false as const, promoted: [], finished: undefined };
        const { queued, claimed, finished } = await advanceTask(
          tx,
          { id: step.taskId, lastOutput: done.output, completedStepId: done.stepId },
          done.continueWith,
        );
        return { fenced: false as const, promoted: queued, finished, next: claimed };
      }),

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
