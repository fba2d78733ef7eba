import { AppError } from '../../platform/errors.js';
import type { ApprovalRow } from './approvals.repository.js';

export const approvalNotFound = (id: string) =>
  new AppError('approval_not_found', `Approval ${id} does not exist`);

export const approvalArgsChanged = (approval: ApprovalRow) =>
  new AppError(
    'approval_args_changed',
    `Approval ${approval.id} is for other arguments than the ones you saw; read it again before deciding`,
    { details: { args_hash: approval.argsHash } },
  );

export const approvalExpired = (approval: ApprovalRow) =>
  new AppError('approval_expired', `Approval ${approval.id} expired at ${approval.expiresAt.toISOString()}`);

export const approvalDecided = (approval: ApprovalRow) =>
  new AppError('approval_decided', `Approval ${approval.id} was already ${approval.status}`, {
    details: { status: approval.status },
  });

export const needsSecondPerson = (approval: ApprovalRow) =>
  new AppError(
    'approval_needs_second_person',
    `Approval ${approval.id} must be decided by someone other than ${approval.requestedBy}, who asked for it`,
  );

export const stepNoLongerWaits = (approval: ApprovalRow) =>
  new AppError('conflict', `The step of approval ${approval.id} no longer waits: its task has ended`);

/** Why a decision that matched nothing lost: decided meanwhile, or past its expiry. */
export const whyUndecidable = (approval: ApprovalRow) =>
  approval.status === 'pending' || approval.status === 'expired'
    ? approvalExpired(approval)
    : approvalDecided(approval);
