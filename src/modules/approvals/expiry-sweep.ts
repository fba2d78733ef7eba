import type { Publisher } from '../../platform/events/index.js';
import type { Logger } from '../../platform/telemetry/index.js';
import type { ApprovalEvent } from './approval-events.js';
import type { ApprovalRow, ApprovalsRepository } from './approvals.repository.js';
import { type ApprovalStepGate, approvalFacts } from './approvals.service.js';

export interface ExpirySweepOptions {
  repo: ApprovalsRepository;
  gate: ApprovalStepGate;
  events: Publisher<ApprovalEvent>;
  logger: Logger;
  /** How often to look. Default 5 s. */
  intervalMs?: number;
}

/**
 * Marks pending approvals past their expiry `expired` and fails their steps with
 * `approval_expired`, one transaction each. Runs beside the reconciler on the worker role; several
 * workers may sweep at once: the conditional update lets one of them win each approval.
 */
export function createExpirySweep(options: ExpirySweepOptions) {
  const { repo, gate, events, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<number> | undefined;

  async function expireOne(row: ApprovalRow): Promise<boolean> {
    let expired: ApprovalRow | undefined;
    const won = await gate.fail(
      { tenantId: row.tenantId, taskId: row.taskId, stepId: row.stepId },
      { code: 'approval_expired', message: `approval ${row.id} expired at ${row.expiresAt.toISOString()}` },
      async (tx) => {
        expired = await repo.expire(tx, row.id);
        return expired !== undefined;
      },
    );
    if (won && expired)
      events.publish({
        type: 'approval.expired',
        ...approvalFacts(expired),
        blocked_by_rule: 'approval_expired',
      });
    return won;
  }

  async function runPass(): Promise<number> {
    let count = 0;
    try {
      for (const row of await repo.due(200)) if (await expireOne(row)) count++;
      if (count > 0) logger.info({ approvals: count }, 'approvals expired; their steps failed');
    } catch (error) {
      logger.warn({ err: error }, 'approval expiry pass failed; will retry');
    }
    return count;
  }

  return {
    /** One pass now; resolves with how many approvals it expired. */
    sweep(): Promise<number> {
      pass ??= runPass().finally(() => {
        pass = undefined;
      });
      return pass;
    },
    start() {
      timer = setInterval(() => void this.sweep(), options.intervalMs ?? 5_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await pass;
    },
  };
}
