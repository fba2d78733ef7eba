import { sql } from 'drizzle-orm';
import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from '../../platform/db/index.js';
import { tenants } from '../identity/index.js';

export const taskStatuses = [
  'queued',
  'running',
  'awaiting_approval',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof taskStatuses)[number];
export const stepStatuses = [
  'pending',
  'ready',
  'running',
  'awaiting_approval',
  'completed',
  'failed',
  'cancelled',
] as const;
export type StepStatus = (typeof stepStatuses)[number];

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id').notNull(),
    agent: text('agent').notNull(),
    agentVersion: text('agent_version').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    status: text('status', { enum: taskStatuses }).notNull().default('queued'),
    /** Which planner made the steps, and why the rule planner was used when it was. */
    planner: text('planner', { enum: ['model', 'rule', 'explicit'] }).notNull(),
    plannerNote: text('planner_note'),
    result: text('result'),
    error: jsonb('error').$type<{ code: string; message: string; step?: string }>(),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    requestId: text('request_id').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('tasks_idempotency_idx').on(t.tenantId, t.idempotencyKey),
    index('tasks_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
  ],
);

export const steps = pgTable(
  'steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    tenantId: text('tenant_id').notNull(),
    /** The step's name inside its plan; dependencies and references use it. */
    key: text('key').notNull(),
    position: integer('position').notNull(),
    tool: text('tool').notNull(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    dependsOn: text('depends_on').array().notNull().default(sql`'{}'::text[]`),
    status: text('status', { enum: stepStatuses }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    runAfter: timestamp('run_after', { withTimezone: true, mode: 'date' }),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true, mode: 'date' }),
    output: jsonb('output'),
    error: jsonb('error').$type<{ code: string; message: string; retryable?: boolean }>(),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    /** What the step's model calls cost, from the price table (USD). */
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    durationMs: integer('duration_ms'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('steps_task_key_idx').on(t.taskId, t.key),
    index('steps_status_idx').on(t.status, t.runAfter),
  ],
);

/**
 * Side effects that happened, keyed by the idempotency key the tool received (task, step, args
 * hash). Written right after a side-effecting tool succeeds and before its step is recorded, so a
 * step retried after its worker died between the two returns the recorded output instead of
 * sending again.
 */
export const stepEffects = pgTable('step_effects', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  stepId: uuid('step_id')
    .notNull()
    .references(() => steps.id, { onDelete: 'cascade' }),
  tool: text('tool').notNull(),
  output: jsonb('output'),
  createdAt: createdAt(),
});
