/** Fields every approval event carries (the conventions audit and metrics rely on). */
interface ApprovalFact {
  tenant_id: string;
  approval_id: string;
  task_id: string;
  step_id: string;
  tool: string;
  args_hash: string;
  agent: string;
  agent_version: string;
  request_id: string;
}

/** The approvals module's facts on the lifecycle bus. */
export type ApprovalEvent =
  | (ApprovalFact & {
      type: 'approval.requested';
      /** The user the task runs for, who asked. */
      user_id: string;
      expires_at: string;
      four_eyes: boolean;
    })
  | (ApprovalFact & {
      type: 'approval.decided';
      decision: 'approved' | 'rejected';
      /** The approver. */
      user_id: string;
      key_id?: string;
      reason: string | null;
    })
  | (ApprovalFact & { type: 'approval.expired'; blocked_by_rule: 'approval_expired' });

/** What the approvals module needs of the lifecycle bus: to publish its facts and to hear the ones it notifies. */
export interface ApprovalBus {
  publish(event: ApprovalEvent): void;
  subscribe(
    type: 'approval.requested' | 'approval.decided',
    listener: (event: ApprovalEvent) => Promise<unknown> | undefined,
  ): () => void;
}
