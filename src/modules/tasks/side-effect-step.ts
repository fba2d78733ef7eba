import { ok } from '../../platform/errors.js';
import type { Publisher } from '../../platform/events/index.js';
import { type ApprovalEvent, type ApprovalRow, argsHash } from '../approvals/index.js';
import { type ToolResult, toolError } from '../tools/index.js';
import type { TaskEvent } from './task-events.js';
import type { ClaimedStep, StepRow, TasksRepository } from './tasks.repository.js';

/** Where a test may stop the process: right after the tool returned, or after the ledger row is written. */
export type SideEffectFaultPoint = 'tool_returned' | 'effect_recorded';

export interface SideEffectOptions {
  /** How long a request waits for a decision. */
  expiresAfterMs: number;
  /** The approver must be another person than the requester. */
  fourEyes: boolean;
  /** Called at each fault point; fault tests kill the process there (never set in production). */
  onFault?: (point: SideEffectFaultPoint) => void;
}

export type SideEffectOutcome =
  | { kind: 'paused' }
  | { kind: 'result'; result: ToolResult<unknown>; replayed: boolean };

const failure = (code: string, message: string): SideEffectOutcome => ({
  kind: 'result',
  result: { ok: false, error: toolError(code, message) },
  replayed: false,
});

/**
 * The path of a side-effecting step. Without an approval it pauses and asks for one, bound to the
 * hash of its resolved arguments. Approved, it runs only with exactly those arguments, under the
 * idempotency key `<task>:<step key>:<hash>`, and never twice: the ledger is read before the tool
 * runs and written after it returns, before the step is recorded.
 */
export function createSideEffectStep(deps: {
  repo: TasksRepository;
  events: Publisher<TaskEvent | ApprovalEvent>;
  options: SideEffectOptions;
}) {
  const { repo, events, options } = deps;

  async function pause(step: StepRow, task: ClaimedStep['task'], args: unknown, hash: string) {
    const paused = await repo.pauseForApproval({
      stepId: step.id,
      taskId: step.taskId,
      attempt: step.attempts,
      approval: {
        tenantId: step.tenantId,
        taskId: step.taskId,
        stepId: step.id,
        tool: step.tool,
        arguments: (args ?? {}) as Record<string, unknown>,
        argsHash: hash,
        requestedBy: task.userId,
        requestId: task.requestId,
        agent: task.agent,
        agentVersion: task.agentVersion,
        fourEyes: options.fourEyes,
        expiresAt: new Date(Date.now() + options.expiresAfterMs),
      },
    });
    if (paused.fenced) return;
    publishPaused(step, task, paused.approval, paused.created);
  }

  function publishPaused(step: StepRow, task: ClaimedStep['task'], approval: ApprovalRow, created: boolean) {
    events.publish({
      type: 'step.awaiting_approval',
      task_id: step.taskId,
      tenant_id: step.tenantId,
      step_id: step.id,
      key: step.key,
      tool: step.tool,
      approval_id: approval.id,
      args_hash: approval.argsHash,
    });
    if (!created) return;
    events.publish({
      type: 'approval.requested',
      tenant_id: approval.tenantId,
      approval_id: approval.id,
      task_id: approval.taskId,
      step_id: approval.stepId,
      tool: approval.tool,
      args_hash: approval.argsHash,
      agent: task.agent,
      agent_version: task.agentVersion,
      request_id: task.requestId,
      user_id: approval.requestedBy,
      expires_at: approval.expiresAt.toISOString(),
      four_eyes: approval.fourEyes,
    });
  }

  return {
    async run(
      step: StepRow,
      task: ClaimedStep['task'],
      args: unknown,
      invoke: (idempotencyKey: string) => Promise<ToolResult<unknown>>,
    ): Promise<SideEffectOutcome> {
      const hash = argsHash(args);
      const approval = await repo.approvalOfStep(step.tenantId, step.id);
      if (!approval || approval.status === 'pending') {
        await pause(step, task, args, hash);
        return { kind: 'paused' };
      }
      if (approval.status !== 'approved')
        return failure(`approval_${approval.status}`, `approval ${approval.id} was ${approval.status}`);
      if (approval.argsHash !== hash)
        return failure(
          'approval_args_changed',
          `the arguments changed after approval ${approval.id} (approved ${approval.argsHash}, now ${hash})`,
        );
      const idempotencyKey = `${step.taskId}:${step.key}:${hash}`;
      const recorded = await repo.effectOf(step.tenantId, idempotencyKey);
      if (recorded) return { kind: 'result', result: ok(recorded.output), replayed: true };
      const result = await invoke(idempotencyKey);
      if (!result.ok) return { kind: 'result', result, replayed: false };
      options.onFault?.('tool_returned');
      await repo.recordEffect({
        idempotencyKey,
        tenantId: step.tenantId,
        stepId: step.id,
        tool: step.tool,
        output: result.value,
      });
      options.onFault?.('effect_recorded');
      return { kind: 'result', result, replayed: false };
    },
  };
}
