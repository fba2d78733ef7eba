import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import { outbox } from '../../platform/queue/index.js';
import { type ApprovalRow, approvalStatements, type NewApproval, type StepRef } from '../approvals/index.js';
import { jobRows } from './outbox-rows.js';
import { failTask } from './step-journal.repository.js';
import type { TaskRow } from './task-rows.js';
import { stepEffects, steps, tasks } from './tasks.tables.js';

/**
 * Locks the task row first, so that steps of one task pausing, resuming and completing at the same
 * time are written one after the other, and each statement after the lock sees the others' rows
 * (whether any sibling still waits decides the task's own status).
 */
const lockTask = (tx: Tx, taskId: string) =>
  tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.id, taskId)).for('update');

/** The task waits while any of its steps does; back to running once none does. */
const runningUnlessWaiting = (tx: Tx, taskId: string) =>
  tx
    .update(tasks)
    .set({ status: 'running', updatedAt: new Date() })
    .where(
      and(
        eq(tasks.id, taskId),
        eq(tasks.status, 'awaiting_approval'),
        sql`NOT EXISTS (SELECT 1 FROM ${steps} WHERE ${steps.taskId} = ${taskId} AND ${steps.status} = 'awaiting_approval')`,
      ),
    );

/** Step statements of the approval flow: pausing for a decision, resuming or failing on one, and the side-effect ledger. */
export function createApprovalSteps(db: Db) {
  return {
    /**
     * The step waits for approval: no lease, no worker, and its attempt given back (the approved
     * run is its first real one); the task waits too; the approval is inserted — one transaction.
     * Fenced like a result: a runner whose lease was taken over pauses nothing.
     */
    pauseForApproval: (pause: { stepId: string; taskId: string; attempt: number; approval: NewApproval }) =>
      db.transaction(
        async (
          tx,
        ): Promise<{ fenced: true } | { fenced: false; approval: ApprovalRow; created: boolean }> => {
          await lockTask(tx, pause.taskId);
          const [paused] = await tx
            .update(steps)
            .set({
              status: 'awaiting_approval',
              attempts: sql`${steps.attempts} - 1`,
              leaseExpiresAt: null,
              updatedAt: new Date(),
            })
            .where(
              and(eq(steps.id, pause.stepId), eq(steps.status, 'running'), eq(steps.attempts, pause.attempt)),
            )
            .returning({ id: steps.id });
          if (!paused) return { fenced: true };
          await tx
            .update(tasks)
            .set({ status: 'awaiting_approval', updatedAt: new Date() })
            .where(and(eq(tasks.id, pause.taskId), sql`${tasks.status} IN ('queued', 'running')`));
          const inserted = await approvalStatements.insertPending(tx, pause.approval);
          if (inserted) return { fenced: false, approval: inserted, created: true };
          // Asked before (a pending approval whose step was run again): the same request stands.
          const existing = await approvalStatements.forStep(tx, pause.approval.tenantId, pause.stepId);
          if (!existing) throw new AppError('internal_error', `approval of step ${pause.stepId} vanished`);
          return { fenced: false, approval: existing, created: false };
        },
      ),

    /** An approval won: its step back to ready with an outbox row; the task runs again unless another step waits. */
    resumeApproved: (ref: StepRef, decide: (tx: Tx) => Promise<boolean>) =>
      db.transaction(async (tx): Promise<boolean> => {
        await lockTask(tx, ref.taskId);
        if (!(await decide(tx))) return false;
        const [step] = await tx
          .update(steps)
          .set({ status: 'ready', runAfter: null, updatedAt: new Date() })
          .where(
            and(
              eq(steps.tenantId, ref.tenantId),
              eq(steps.id, ref.stepId),
              eq(steps.status, 'awaiting_approval'),
            ),
          )
          .returning({ id: steps.id });
        // Throwing rolls the decision back: an approval whose step cannot run must stay undecided.
        if (!step)
          throw new AppError(
            'conflict',
            `Step ${ref.stepId} no longer waits for approval: its task has ended`,
          );
        await tx.insert(outbox).values(jobRows([step.id]));
        await runningUnlessWaiting(tx, ref.taskId);
        return true;
      }),

    /** A rejection or expiry won: the step fails for good, and its task with it. */
    failAwaiting: (
      ref: StepRef,
      error: { code: string; message: string },
      decide: (tx: Tx) => Promise<boolean>,
    ) =>
      db.transaction(
        async (tx): Promise<{ won: boolean; step?: { key: string; tool: string }; finished?: TaskRow }> => {
          await lockTask(tx, ref.taskId);
          if (!(await decide(tx))) return { won: false };
          const [step] = await tx
            .update(steps)
            .set({
              status: 'failed',
              error: { ...error, retryable: false },
              finishedAt: new Date(),
              updatedAt: new Date(),
            })
            .where(
              and(
                eq(steps.tenantId, ref.tenantId),
                eq(steps.id, ref.stepId),
                eq(steps.status, 'awaiting_approval'),
              ),
            )
            .returning({ key: steps.key, tool: steps.tool });
          // A step that no longer waits (its task ended) has nothing left to fail; the decision stands.
          if (!step) return { won: true };
          return { won: true, step, finished: await failTask(tx, ref.taskId, step.key, error) };
        },
      ),

    approvalOfStep: (tenantId: string, stepId: string) => approvalStatements.forStep(db, tenantId, stepId),

    /** What a side effect with this idempotency key returned, if it happened already. */
    effectOf: async (tenantId: string, idempotencyKey: string) =>
      (
        await db
          .select({ output: stepEffects.output })
          .from(stepEffects)
          .where(and(eq(stepEffects.tenantId, tenantId), eq(stepEffects.idempotencyKey, idempotencyKey)))
      )[0],

    /** Written right after the tool returned, before the step is recorded; a second writer (a fenced run) changes nothing. */
    recordEffect: (effect: typeof stepEffects.$inferInsert) =>
      db.insert(stepEffects).values(effect).onConflictDoNothing({ target: stepEffects.idempotencyKey }),
  };
}
