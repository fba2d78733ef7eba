export type { ApprovalEvent } from './approval-events.js';
export { approvalsSection } from './approvals.config.js';
export { type ApprovalsModule, createApprovalsModule } from './approvals.module.js';
export { type ApprovalRow, approvalStatements, type NewApproval } from './approvals.repository.js';
export type { ApprovalStepGate, StepRef } from './approvals.service.js';
export { argsHash } from './args-hash.js';
