import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import { argsHash } from '../approvals/index.js';
import { requireAccess } from '../identity/index.js';
import type { TaskEvent, TaskEvents } from '../tasks/index.js';

/** A side-effecting tool call the model made, turned into a task that waits for approval instead of running. */
export interface ProposedAction {
  tool: string;
  /** Exactly what the model asked for: what the approver sees and approves. */
  arguments: Record<string, unknown>;
  /** SHA-256 of their RFC 8785 canonical JSON, as the approval binds them. */
  argsHash: string;
  taskId: string;
  /** Null when no worker took the step within the wait: the approval is requested once one does. */
  approvalId: string | null;
}

export interface ProposalRequest {
  actor: Actor;
  tenantId: string;
  userId: string;
  agent: string;
  requestId: string;
  tool: string;
  input: unknown;
  /** Where it came from, for the task's description ("chat", "infer"). */
  origin: string;
}

/** What the proposer needs of the tasks and approvals modules. */
export interface ProposalDeps {
  tasks: {
    create(input: {
      tenantId: string;
      userId: string;
      agent: string;
      description: string;
      title: string;
      requestId: string;
      steps: Array<{ key: string; tool: string; input: Record<string, unknown>; dependsOn: string[] }>;
    }): Promise<{ task: { id: string } }>;
  };
  taskEvents: Pick<TaskEvents, 'subscribe'>;
  approvals: { requestedFor(tenantId: string, taskId: string): Promise<{ id: string } | undefined> };
  /** Longest a proposal waits for the worker to ask for the approval. Default 10 s. */
  waitMs?: number;
}

export type ProposeAction = (request: ProposalRequest, signal?: AbortSignal) => Promise<ProposedAction>;

const STEP_KEY = 'action';
const POLL_MS = 200;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Proposes an action: a task with an explicit one-step plan (validated like any explicit plan, so a
 * destination must be literal), whose step the worker pauses for approval. Waits for that approval
 * to exist, woken by the task's events and checking the store meanwhile (the events are hints).
 */
export function createActionProposer(deps: ProposalDeps): ProposeAction {
  const waitMs = deps.waitMs ?? 10_000;

  async function awaitApproval(tenantId: string, taskId: string, signal?: AbortSignal) {
    let ended: string | undefined;
    let wake = () => {};
    const unsubscribe = deps.taskEvents.subscribe(taskId, (event: TaskEvent) => {
      if (event.type === 'task.finished') ended = event.status;
      if (event.type === 'task.finished' || event.type === 'step.awaiting_approval') wake();
    });
    const deadline = Date.now() + waitMs;
    try {
      for (;;) {
        const approval = await deps.approvals.requestedFor(tenantId, taskId);
        if (approval) return approval.id;
        if (ended)
          throw new AppError('conflict', `Task ${taskId} ended (${ended}) before asking for approval`);
        if (Date.now() >= deadline || signal?.aborted) return null;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
        });
      }
    } finally {
      unsubscribe();
    }
  }

  return async (request, signal) => {
    if (!isObject(request.input)) {
      throw new AppError('validation_failed', `Invalid request: the ${request.tool} input must be an object`);
    }
    // Chat and infer checked chat:use for this user; a task is what is created, so its permission counts.
    requireAccess(request.actor, 'tasks:create', { tenantId: request.tenantId, userId: request.userId });
    const { task } = await deps.tasks.create({
      tenantId: request.tenantId,
      userId: request.userId,
      agent: request.agent,
      description: `The ${request.agent} agent proposed ${request.tool} in ${request.origin}; it runs once approved.`,
      title: `${request.tool} proposed in ${request.origin}`,
      requestId: request.requestId,
      steps: [{ key: STEP_KEY, tool: request.tool, input: request.input, dependsOn: [] }],
    });
    return {
      tool: request.tool,
      arguments: request.input,
      argsHash: argsHash(request.input),
      taskId: task.id,
      approvalId: await awaitApproval(request.tenantId, task.id, signal),
    };
  };
}
