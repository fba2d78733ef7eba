import { adviceFor } from '../api/advice';
import type { ApiErrorInfo } from '../api/client';

export interface DecisionAdvice {
  title: string;
  hint: string;
}

/** Why a decision was refused, in words; the code is shown beside them. */
export function decisionAdvice(error: ApiErrorInfo): DecisionAdvice {
  switch (error.code) {
    case 'approval_expired':
      return {
        title: 'This approval has expired',
        hint: 'It waited past its expiry time, so its step fails without sending anything. Start the task again to ask anew.',
      };
    case 'approval_decided':
      return {
        title: 'This approval was decided already',
        hint: 'Another decision came first; the list now shows who made it.',
      };
    case 'approval_args_changed':
      return {
        title: 'The arguments changed',
        hint: 'What the step would send is no longer what this page showed, so nothing was approved. Read the arguments again before deciding.',
      };
    case 'approval_needs_second_person':
      return {
        title: 'Another person must approve this',
        hint: 'Four-eyes approval is on and the step was requested by you: ask another operator to decide it.',
      };
    case 'approval_not_found':
      return {
        title: 'This approval does not exist',
        hint: 'It may belong to another tenant, or the link is mistyped.',
      };
    case 'forbidden':
      return {
        title: 'Your role may not decide approvals',
        hint: 'Operators, admins and owners of the tenant decide them.',
      };
    case 'conflict':
      return {
        title: 'The task ended meanwhile',
        hint: 'It was cancelled or failed elsewhere; this step will not run.',
      };
    default:
      return adviceFor(error);
  }
}
