import type { Tx } from '../../platform/db/index.js';
import type { Publisher } from '../../platform/events/index.js';
import { type Actor, decodeCursor, encodeCursor } from '../../platform/http/index.js';
import { requireAccess } from '../identity/index.js';
import {
  approvalArgsChanged,
  approvalDecided,
  approvalExpired,
  approvalNotFound,
  needsSecondPerson,
  whyUndecidable,
} from './approval-errors.js';
import type { ApprovalEvent } from './approval-events.js';
import type { ApprovalRow, ApprovalsRepository } from './approvals.repository.js';
import type { ApprovalStatus } from './approvals.tables.js';

/** The step an approval holds back, as the tasks module knows it. */
export interface StepRef {
  tenantId: string;
  taskId: string;
  stepId: string;
}

/**
 * What the tasks module does with a decided step, each in one transaction with the decision:
 * `decide` is the approval's conditional update, and the step moves only when it won.
 */
export interface ApprovalStepGate {
  /** The step back to ready with its outbox row. Throws `conflict` (rolling back) when the step no longer waits. */
  resume(step: StepRef, decide: (tx: Tx) => Promise<boolean>): Promise<boolean>;
  /** The step failed with `error` (not retried), and its task with it. */
  fail(
    step: StepRef,
    error: { code: string; message: string },
    decide: (tx: Tx) => Promise<boolean>,
  ): Promise<boolean>;
}

export interface ApprovalsServiceDeps {
  repo: ApprovalsRepository;
  gate: ApprovalStepGate;
  events: Publisher<ApprovalEvent>;
}

export const approvalFacts = (row: ApprovalRow) => ({
  tenant_id: row.tenantId,
  approval_id: row.id,
  task_id: row.taskId,
  step_id: row.stepId,
  tool: row.tool,
  args_hash: row.argsHash,
  agent: row.agent,
  agent_version: row.agentVersion,
  request_id: row.requestId,
});

/** Listing and deciding approvals; the step's side of a decision is the tasks module's (the gate). */
export function createApprovalsService(deps: ApprovalsServiceDeps) {
  const { repo, gate } = deps;

  /** The approval, if the actor's tenant has it and the actor may `permission` it; else 404 / 403. */
  async function load(actor: Actor, id: string, permission: 'approvals:read' | 'approvals:decide') {
    const row = await repo.find(actor.tenantId, id);
    if (!row) throw approvalNotFound(id);
    requireAccess(actor, permission, { tenantId: row.tenantId });
    return row;
  }

  /** Refusals that need no write: the answer a losing conditional update would get anyway, but clearer. */
  function checkDecidable(actor: Actor, row: ApprovalRow, seenHash: string | undefined) {
    if (row.status !== 'pending')
      throw row.status === 'expired' ? approvalExpired(row) : approvalDecided(row);
    if (row.expiresAt.getTime() <= Date.now()) throw approvalExpired(row);
    if (seenHash !== undefined && seenHash !== row.argsHash) throw approvalArgsChanged(row);
    if (row.fourEyes && actor.userId === row.requestedBy) throw needsSecondPerson(row);
  }

  async function decide(
    actor: Actor,
    id: string,
    verdict: { status: 'approved' | 'rejected'; reason: string | null; argsHash?: string },
  ): Promise<ApprovalRow> {
    const row = await load(actor, id, 'approvals:decide');
    checkDecidable(actor, row, verdict.argsHash);
    let decided: ApprovalRow | undefined;
    const decision = async (tx: Tx) => {
      decided = await repo.decide(tx, {
        tenantId: row.tenantId,
        id: row.id,
        status: verdict.status,
        decidedBy: actor.userId,
        reason: verdict.reason,
        argsHash: row.argsHash,
      });
      return decided !== undefined;
    };
    const ref = { tenantId: row.tenantId, taskId: row.taskId, stepId: row.stepId };
    const won =
      verdict.status === 'approved'
        ? await gate.resume(ref, decision)
        : await gate.fail(
            ref,
            { code: 'approval_rejected', message: `rejected by ${actor.userId}: ${verdict.reason}` },
            decision,
          );
    if (!won || !decided) {
      const now = await repo.find(row.tenantId, row.id);
      throw whyUndecidable(now ?? row);
    }
    deps.events.publish({
      type: 'approval.decided',
      ...approvalFacts(decided),
      decision: verdict.status,
      user_id: actor.userId,
      ...(actor.keyId ? { key_id: actor.keyId } : {}),
      reason: decided.reason,
    });
    return decided;
  }

  return {
    async list(
      actor: Actor,
      query: { status?: ApprovalStatus; taskId?: string; limit: number; cursor?: string },
    ) {
      requireAccess(actor, 'approvals:read', { tenantId: actor.tenantId });
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await repo.list({ ...query, tenantId: actor.tenantId, limit: query.limit + 1, before });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return { approvals: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
    },
    get: (actor: Actor, id: string) => load(actor, id, 'approvals:read'),
    /**
     * The approval a task's step asked for (the newest, for a task of several), or undefined while
     * none has been requested. No actor: for the service that created the task on its caller's
     * behalf (chat, infer), which reports the id back; reading the approval stays operator+.
     */
    requestedFor: async (tenantId: string, taskId: string): Promise<ApprovalRow | undefined> =>
      (await repo.list({ tenantId, taskId, limit: 1 }))[0],
    approve: (actor: Actor, id: string, argsHash?: string) =>
      decide(actor, id, { status: 'approved', reason: null, argsHash }),
    reject: (actor: Actor, id: string, reason: string, argsHash?: string) =>
      decide(actor, id, { status: 'rejected', reason, argsHash }),
  };
}
export type ApprovalsService = ReturnType<typeof createApprovalsService>;
