import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { type Db, jsonRows, queryRows } from '../../platform/db/index.js';
import { approvalStatements } from '../approvals/index.js';
import { createApprovalSteps } from './approval-steps.repository.js';
import { STEP_JOB, traceContextJson } from './outbox-rows.js';
import type { PlannedStep } from './plan.js';
import { createStepJournal } from './step-journal.repository.js';
import { fromJson, type TaskRow, taskColumns } from './task-rows.js';
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

/**
 * The task, its steps and the outbox rows of its first steps, in one statement (atomic on its own:
 * one round trip and one commit, no BEGIN). Undefined when the idempotency key is taken.
 */
async function insertTaskRows(db: Db, task: NewTask): Promise<TaskRow | undefined> {
  const stepRows = task.steps.map((step, position) => ({
    key: step.key,
    position,
    tool: step.tool,
    input: step.input,
    depends_on: step.dependsOn,
    status: step.dependsOn.length === 0 ? 'ready' : 'pending',
  }));
  const [inserted] = await queryRows<{ row: Record<string, unknown> }>(
    db,
    sql`
    WITH task AS (
      INSERT INTO tasks (tenant_id, user_id, agent, agent_version, title, description, planner,
        planner_note, idempotency_key, request_hash, request_id)
      VALUES (${task.tenantId}, ${task.userId}, ${task.agent}, ${task.agentVersion}, ${task.title},
        ${task.description}, ${task.planner}, ${task.plannerNote ?? null}, ${task.idempotencyKey ?? null},
        ${task.requestHash ?? null}, ${task.requestId})
      ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
      RETURNING *
    ), step_rows AS (
      INSERT INTO steps (task_id, tenant_id, key, position, tool, input, depends_on, status, max_attempts)
      SELECT task.id, task.tenant_id, v.key, v.position, v.tool, v.input, v.depends_on, v.status, ${task.maxAttempts}
      FROM task, jsonb_to_recordset(${jsonRows(stepRows)})
        AS v(key text, position int, tool text, input jsonb, depends_on text[], status text)
      RETURNING id, status
    ), queued AS (
      INSERT INTO outbox (job_name, payload, trace_context)
      SELECT ${STEP_JOB}, jsonb_build_object('stepId', id), ${traceContextJson()}::jsonb
      FROM step_rows WHERE status = 'ready'
    )
    SELECT to_jsonb(task.*) AS row FROM task`,
  );
  return inserted ? fromJson<TaskRow>(taskColumns, inserted.row) : undefined;
}

export function createTasksRepository(db: Db) {
  return {
    insertTask: (task: NewTask) => insertTaskRows(db, task),

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
