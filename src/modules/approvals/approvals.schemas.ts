import { z } from 'zod';
import type { ApprovalRow } from './approvals.repository.js';
import { approvalStatuses } from './approvals.tables.js';

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

export const approvalParams = z.object({ id: z.uuid() });

export const approvalListQuery = z.object({
  status: z.enum(approvalStatuses).optional(),
  task: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const approveBody = z
  .strictObject({
    /** The args_hash the approver saw; a different one means the arguments are not what was shown. */
    args_hash: hash.optional(),
  })
  .prefault({});

export const rejectBody = z.strictObject({
  reason: z
    .string()
    .max(2_000)
    .refine((value) => value.trim().length > 0, 'must not be empty'),
  args_hash: hash.optional(),
});

export const approvalView = z.object({
  approval_id: z.string(),
  status: z.enum(approvalStatuses),
  task_id: z.string(),
  step_id: z.string(),
  tool: z.string(),
  /** The exact resolved arguments the step will run with, once approved. */
  arguments: z.record(z.string(), z.unknown()),
  args_hash: z.string(),
  requested_by: z.string(),
  request_id: z.string(),
  agent: z.string(),
  agent_version: z.string(),
  four_eyes: z.boolean(),
  expires_at: z.string(),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.string(),
});

export const approvalList = z.object({
  approvals: z.array(approvalView),
  next_cursor: z.string().nullable(),
});

export const approvalWire = (row: ApprovalRow): z.infer<typeof approvalView> => ({
  approval_id: row.id,
  status: row.status,
  task_id: row.taskId,
  step_id: row.stepId,
  tool: row.tool,
  arguments: row.arguments,
  args_hash: row.argsHash,
  requested_by: row.requestedBy,
  request_id: row.requestId,
  agent: row.agent,
  agent_version: row.agentVersion,
  four_eyes: row.fourEyes,
  expires_at: row.expiresAt.toISOString(),
  decided_by: row.decidedBy,
  decided_at: row.decidedAt ? row.decidedAt.toISOString() : null,
  reason: row.reason,
  created_at: row.createdAt.toISOString(),
});
