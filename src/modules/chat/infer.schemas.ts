import { z } from 'zod';
import { nonBlank, userId } from './chat.schemas.js';

export const inferBody = (maxMessageChars: number) =>
  z.strictObject({
    request_id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits, ".", "_", ":" or "-"')
      .optional(),
    /** The caller's own tenant (another's is 403); default the caller's. */
    tenant_id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a tenant slug')
      .optional(),
    user_id: userId,
    workflow: z.string().min(1).max(64),
    input: z.strictObject({ text: nonBlank(maxMessageChars) }),
  });

/** What the workflow would do: a side-effecting tool and its exact arguments, bound by args_hash. */
const proposedAction = z.object({
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  args_hash: z.string(),
});

export const inferReply = z.object({
  request_id: z.string(),
  /** awaiting_approval: the workflow reached a side-effecting tool; it did not run. */
  status: z.enum(['completed', 'awaiting_approval']),
  approval_required: z.boolean(),
  /** With approval_required: the first proposed action's approval (null if no worker asked for it yet) and task. */
  approval_request_id: z.string().nullable().optional(),
  task_id: z.string().optional(),
  proposed_action: proposedAction.optional(),
  /** With approval_required: every action the workflow proposed, in order. */
  proposed_actions: z
    .array(proposedAction.extend({ approval_request_id: z.string().nullable(), task_id: z.string() }))
    .optional(),
  answer: z.string(),
  evidence: z.array(z.object({ type: z.literal('tool'), tool: z.string(), ref: z.string() })),
  policy_version: z.string(),
});
