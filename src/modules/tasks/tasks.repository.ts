import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db/index.js';
import { outbox } from '../../platform/queue/index.js';
import { approvalStatements } from '../approvals/index.js';
import { createApprovalSteps } from './approval-steps.repository.js';
import { jobRows } from './outbox-rows.js';
import type { PlannedStep } from './plan.js';
import { createStepJournal } from './step-journal.repository.js';
import type { TaskRow } from './task-rows.js';
import { steps, type TaskStatus, tasks } from './tasks.tables.js';

export type { ClaimedStep, StepRow, TaskRow } from './task-rows.js';
export type { TaskStatus };

export interface NewTask {
  tenantId: string;
  userId: string;
  agent: string;
  agentVersion: string;
  title: string;
  description: string;
  planner: 'model' | 'rule' | 'explicit';
  plannerNote?: string;
  idempotencyKey?: string;
  requestHash?: string;
  requestId: string;
  steps: PlannedStep[];
  maxAttempts: number;
}

export interface ListQuery {
  tenantId: string;
  userId?: string;
  status?: TaskStatus;
  limit: number;
  /** Tasks created before this (created_at, id), newest first. */
  before?: { createdAt: Date; id: string };
}

async function insertSteps(tx: Tx, taskId: string, task: NewTask): Promise<void> {
  const rows = await tx
    .insert(steps)
    .values(
      task.steps.map((step, position) => ({
        taskId,
        tenantId: task.tenantId,
        key: step.key,
        position,
        tool: step.tool,
        input: step.input,
        dependsOn: step.dependsOn,
        status: step.dependsOn.length === 0 ? ('ready' as const) : ('pending' as const),
        maxAttempts: task.maxAttempts,
      })),
    )
    .returning({ id: steps.id, status: steps.status });
  const ready = rows.filter((r) => r.status === 'ready').map((r) => r.id);
  if (ready.length > 0) await tx.insert(outbox).values(jobRows(ready));
}

export function createTasksRepository(db: Db) {
  return {
    /** The task, its steps and the outbox rows of its first steps, in one transaction. */
    insertTask: (task: NewTask): Promise<TaskRow | undefined> =>
      db.transaction(async (tx) => {
        const [row] = await tx
          .insert(tasks)
          .values({
            tenantId: task.tenantId,
            userId: task.userId,
            agent: task.agent,
            agentVersion: task.agentVersion,
            title: task.title,
            description: task.description,
            planner: task.planner,
            plannerNote: task.plannerNote,
            idempotencyKey: task.idempotencyKey,
            requestHash: task.requestHash,
            requestId: task.requestId,
          })
          .onConflictDoNothing({ target: [tasks.tenantId, tasks.idempotencyKey] })
          .returning();
        if (row) await insertSteps(tx, row.id, task);
        return row;
      }),

    findByIdempotencyKey: async (tenantId: string, key: string) =>
      (
        await db
          .select()
          .from(tasks)
          .where(and(eq(tasks.tenantId, tenantId), eq(tasks.idempotencyKey, key)))
      )[0],

    findTask: async (tenantId: string, id: string) =>
      (
        await db
          .select()
          .from(tasks)
          .where(and(eq(tasks.tenantId, tenantId), eq(tasks.id, id)))
      )[0],

    stepsOf: (tenantId: string, taskId: string) =>
      db
        .select()
        .from(steps)
        .where(and(eq(steps.tenantId, tenantId), eq(steps.taskId, taskId)))
        .orderBy(asc(steps.position)),

    findStep: async (tenantId: string, taskId: string, stepId: string) =>
      (
        await db
          .select()
          .from(steps)
          .where(and(eq(steps.tenantId, tenantId), eq(steps.taskId, taskId), eq(steps.id, stepId)))
      )[0],

    listTasks(query: ListQuery): Promise<TaskRow[]> {
      const filters = [eq(tasks.tenantId, query.tenantId)];
      if (query.userId) filters.push(eq(tasks.userId, query.userId));
      if (query.status) filters.push(eq(tasks.status, query.status));
      if (query.before) {
        const { createdAt, id } = query.before;
        filters.push(
          or(lt(tasks.createdAt, createdAt), and(eq(tasks.createdAt, createdAt), lt(tasks.id, id))) ??
            sql`true`,
        );
      }
      return db
        .select()
        .from(tasks)
        .where(and(...filters))
        .orderBy(desc(tasks.createdAt), desc(tasks.id))
        .limit(query.limit);
    },

    /** Cancels a task that has not finished, with all its unfinished steps (a running step's runner is told by its lease). */
    cancelTask: (tenantId: string, id: string): Promise<TaskRow | undefined> =>
      db.transaction(async (tx) => {
        const [row] = await tx
          .update(tasks)
          .set({ status: 'cancelled', updatedAt: new Date(), finishedAt: new Date() })
          .where(
            and(
              eq(tasks.tenantId, tenantId),
              eq(tasks.id, id),
              inArray(tasks.status, ['queued', 'running', 'awaiting_approval']),
            ),
          )
          .returning();
        if (row) {
          await tx
            .update(steps)
            .set({ status: 'cancelled', updatedAt: new Date() })
            // Running steps too: their runners' results are then fenced off, and their leases stop renewing.
            .where(
              and(
                eq(steps.taskId, id),
                inArray(steps.status, ['pending', 'ready', 'running', 'awaiting_approval']),
              ),
            );
          await approvalStatements.closeForTask(tx, id);
        }
        return row;
      }),

    ...createStepJournal(db),
    ...createApprovalSteps(db),
  };
}
export type TasksRepository = ReturnType<typeof createTasksRepository>;
