import { createHash } from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import type { Publisher } from '../../platform/events/index.js';
import { type Actor, decodeCursor, encodeCursor } from '../../platform/http/index.js';
import type { AgentCatalog } from '../agents/index.js';
import { actingUser, canAccess, ownerScope, requireAccess } from '../identity/index.js';
import { type Plan, type PlannedStep, type PlanProblem, validatePlan } from './plan.js';
import { type PlannerDeps, planTask } from './planner.js';
import type { StepRunner } from './step-runner.js';
import { type TaskEvent, taskFinished } from './task-events.js';
import type { TaskMetrics } from './tasks.metrics.js';
import type { TaskRow, TaskStatus, TasksRepository } from './tasks.repository.js';

export interface CreateTaskInput {
  tenantId: string;
  description: string;
  title?: string;
  /** The user the task is for (the caller, or the user an admin acts for). */
  userId: string;
  agent?: string;
  /** An explicit plan: run these steps instead of planning the description (validated like a model's plan). */
  steps?: PlannedStep[];
  idempotencyKey?: string;
  requestId: string;
}

export interface TasksServiceDeps extends PlannerDeps {
  repo: TasksRepository;
  agents: AgentCatalog;
  runner: StepRunner;
  events: Publisher<TaskEvent>;
  metrics: TaskMetrics;
  /** Called after a task's first jobs are committed to the outbox. */
  onOutbox: () => void;
  /** Attempts per step before the task fails. Default 3. */
  maxStepAttempts?: number;
}

const requestHash = (input: CreateTaskInput) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        input.description,
        input.title ?? null,
        input.userId,
        input.agent ?? null,
        input.steps ?? null,
      ]),
    )
    .digest('hex');

/** A refused explicit plan as a 400 naming the step and field (`body.steps.2.tool`). */
function planRefused(problem: PlanProblem): AppError {
  const field =
    problem.index === undefined
      ? 'body.steps'
      : `body.steps.${problem.index}${problem.field ? `.${problem.field}` : ''}`;
  return new AppError('validation_failed', `Invalid request: ${field}: ${problem.message}`, {
    details: [{ field, message: problem.message }],
  });
}

const explicitPlan = (steps: PlannedStep[]): Plan => ({
  steps,
  planner: 'explicit',
  note: 'The steps came with the request (an explicit plan); no planner was asked.',
});

const defaultTitle = (description: string) => {
  const line = description.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};

export function createTasksService(deps: TasksServiceDeps) {
  const { repo } = deps;

  function sameRequestOrFail(existing: TaskRow, hash: string, userId: string): TaskRow {
    if (existing.requestHash !== hash) {
      // Another user's task keeps its id to itself.
      const details = existing.userId === userId ? { details: { task_id: existing.id } } : {};
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was used for a different request',
        details,
      );
    }
    return existing;
  }

  return {
    /** Plans and stores a task with its first jobs in one transaction; a retried request with the same key returns the first task. */
    async create(input: CreateTaskInput): Promise<{ task: TaskRow; created: boolean }> {
      const agent = deps.agents.get(input.agent ?? deps.agents.defaultName);
      if (input.idempotencyKey) {
        const existing = await repo.findByIdempotencyKey(input.tenantId, input.idempotencyKey);
        if (existing)
          return { task: sameRequestOrFail(existing, requestHash(input), input.userId), created: false };
      }
      if (input.steps) {
        const checked = validatePlan(input.steps, deps.tools);
        if (!checked.ok) throw planRefused(checked.error);
        return this.createPlanned(input, explicitPlan(checked.value));
      }
      // The planning call counts against the budgets of the tenant and agent the task is for.
      const context = {
        tenantId: input.tenantId,
        agent: agent.name,
        requestId: input.requestId,
        userId: input.userId,
      };
      return this.createPlanned(input, await planTask(deps, agent, input.description, undefined, context));
    },

    /** Stores a task whose plan is already made (and validated). */
    async createPlanned(input: CreateTaskInput, plan: Plan): Promise<{ task: TaskRow; created: boolean }> {
      const agent = deps.agents.get(input.agent ?? deps.agents.defaultName);
      const hash = requestHash(input);
      const row = await repo.insertTask({
        tenantId: input.tenantId,
        userId: input.userId,
        agent: agent.name,
        agentVersion: agent.version,
        title: input.title?.trim() || defaultTitle(input.description),
        description: input.description,
        planner: plan.planner,
        plannerNote: plan.note,
        idempotencyKey: input.idempotencyKey,
        requestHash: hash,
        requestId: input.requestId,
        steps: plan.steps,
        maxAttempts: deps.maxStepAttempts ?? 3,
      });
      if (!row) {
        // Another request with the same key won the race.
        const winner = await repo.findByIdempotencyKey(input.tenantId, input.idempotencyKey as string);
        if (!winner) throw new AppError('internal_error', 'Task insert returned nothing');
        return { task: sameRequestOrFail(winner, hash, input.userId), created: false };
      }
      deps.events.publish({
        type: 'task.created',
        task_id: row.id,
        tenant_id: row.tenantId,
        user_id: row.userId,
        request_id: row.requestId,
        agent: row.agent,
        agent_version: row.agentVersion,
        planner: plan.planner,
        steps: plan.steps.length,
      });
      deps.onOutbox();
      return { task: row, created: true };
    },

    /** The input of a request to create a task: the user it acts for, checked against the caller's role. */
    creation(actor: Actor, requestedUser: string | undefined) {
      const userId = actingUser(actor, requestedUser);
      requireAccess(actor, 'tasks:create', { tenantId: actor.tenantId, userId });
      return { tenantId: actor.tenantId, userId };
    },

    /** A task the actor may read; another tenant's or another user's is "not found", not "forbidden". */
    async find(actor: Actor, id: string): Promise<TaskRow> {
      const task = await repo.findTask(actor.tenantId, id);
      if (!task || !canAccess(actor, 'tasks:read', task)) {
        throw new AppError('task_not_found', `Task ${id} does not exist`);
      }
      return task;
    },

    async get(actor: Actor, id: string) {
      const task = await this.find(actor, id);
      return { task, steps: await repo.stepsOf(actor.tenantId, id) };
    },

    async stepOutput(actor: Actor, taskId: string, stepId: string) {
      await this.find(actor, taskId);
      const step = await repo.findStep(actor.tenantId, taskId, stepId);
      if (!step) throw new AppError('step_not_found', `Step ${stepId} of task ${taskId} does not exist`);
      return step;
    },

    /** The caller's tasks; an operator's or admin's are every user's unless it names one. */
    async list(
      actor: Actor,
      query: { userId?: string; status?: TaskStatus; limit: number; cursor?: string },
    ) {
      const { tenantId } = actor;
      if (query.userId) requireAccess(actor, 'tasks:read', { tenantId, userId: query.userId });
      const userId = query.userId ?? ownerScope(actor, 'tasks:read');
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await repo.listTasks({ ...query, tenantId, userId, limit: query.limit + 1, before });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return { tasks: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
    },

    async cancel(actor: Actor, id: string): Promise<TaskRow> {
      const found = await this.find(actor, id);
      requireAccess(actor, 'tasks:cancel', found);
      const cancelled = await repo.cancelTask(actor.tenantId, id);
      if (!cancelled) {
        const task = await this.find(actor, id);
        if (task.status === 'cancelled') return task;
        throw new AppError(
          'conflict',
          `Task ${id} has already ${task.status === 'completed' ? 'completed' : 'failed'}`,
        );
      }
      deps.runner.abortTask(id);
      deps.events.publish(taskFinished(cancelled));
      return cancelled;
    },
  };
}
export type TasksService = ReturnType<typeof createTasksService>;
