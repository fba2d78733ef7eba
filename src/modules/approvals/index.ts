export { type ApprovalBus, type ApprovalEvent, approvalEventTypes } from './approval-events.js';
export { type ApprovalsConfig, approvalsSection } from './approvals.config.js';
export {
  type ApprovalsModule,
  type ApprovalsModuleOptions,
  createApprovalsModule,
} from './approvals.module.js';
export {
  type ApprovalRow,
  approvalStatements,
  createApprovalsRepository,
  type NewApproval,
} from './approvals.repository.js';
export type { ApprovalStepGate, StepRef } from './approvals.service.js';
export { type ApprovalStatus, approvalStatuses, approvals } from './approvals.tables.js';
export { argsHash } from './args-hash.js';
