import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from '../../platform/db/index.js';
import { tenants } from '../identity/index.js';

export const approvalStatuses = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

/**
 * A request to run one side-effecting tool call, bound to the SHA-256 of the canonical JSON
 * (RFC 8785) of its exact resolved arguments. Single use: decided once, by an operator or above
 * of the same tenant (another person than the requester when `fourEyes`).
 */
export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** The step that waits (tasks own the row; no foreign key, so approvals stand on their own). */
    taskId: uuid('task_id').notNull(),
    stepId: uuid('step_id').notNull(),
    tool: text('tool').notNull(),
    /** The exact resolved arguments the approver sees and approves. */
    arguments: jsonb('arguments').$type<Record<string, unknown>>().notNull(),
    argsHash: text('args_hash').notNull(),
    /** The user the task runs for. */
    requestedBy: text('requested_by').notNull(),
    requestId: text('request_id').notNull(),
    agent: text('agent').notNull(),
    agentVersion: text('agent_version').notNull(),
    status: text('status', { enum: approvalStatuses }).notNull().default('pending'),
    /** The approver must be another user than `requestedBy`. */
    fourEyes: boolean('four_eyes').notNull().default(false),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    reason: text('reason'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('approvals_step_idx').on(t.stepId),
    index('approvals_tenant_status_idx').on(t.tenantId, t.status, t.createdAt),
    index('approvals_expiry_idx').on(t.status, t.expiresAt),
  ],
);
