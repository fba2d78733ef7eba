import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** The tenant of embedded mode, of keys from BERTH_API_KEYS and of rows written before tenants existed. */
export const DEFAULT_TENANT = 'default';
/** The one user of embedded mode with auth off (and of BERTH_API_KEYS keys). */
export const LOCAL_USER = 'local';

/** Roles of a user in a tenant, weakest first: each grants what the ones before it do. */
export const roles = ['viewer', 'member', 'operator', 'admin', 'owner'] as const;
export type Role = (typeof roles)[number];

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** People and service accounts; what they may do is per tenant, in memberships. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: roles }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    name: text('name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    /** The user the key acts as; a key without one acts as itself (user `key:<id>`). */
    userId: text('user_id').references(() => users.id),
    /** sha256 of the key; the key itself is shown once at creation and never stored. */
    keyHash: text('key_hash').notNull(),
    /** First characters of the key, so an operator can tell keys apart in `berth keys list`. */
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_keys_key_hash_idx').on(t.keyHash)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id').notNull(),
    agent: text('agent').notNull(),
    /** Input + output tokens spent so far, checked against the agent's budget before each turn. */
    tokensUsed: integer('tokens_used').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('conversations_tenant_user_idx').on(t.tenantId, t.userId, t.updatedAt)],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order; created_at can tie within one transaction. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['user', 'assistant'] }).notNull(),
    content: text('content').notNull(),
    model: text('model'),
    agentVersion: text('agent_version').notNull(),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    requestId: text('request_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('messages_conversation_seq_idx').on(t.conversationId, t.seq)],
);

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
    planner: text('planner', { enum: ['model', 'rule'] }).notNull(),
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

/** Jobs committed with the rows they act on; a relay moves them onto the queue (outbox pattern). */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  jobName: text('job_name').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  availableAt: timestamp('available_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** The trace context (W3C traceparent/tracestate) of the work that wrote the row: the relay enqueues under it. */
  traceContext: jsonb('trace_context').$type<Record<string, string>>(),
  createdAt: createdAt(),
});

/**
 * One `berth eval` run of a suite against this deployment (owned by the evals module): the agent
 * version and configuration it ran against, its totals and gate, and the cases (`report`).
 */
export const evalRuns = pgTable(
  'eval_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** Who recorded it (the key's user). */
    userId: text('user_id').notNull(),
    suite: text('suite').notNull(),
    agent: text('agent').notNull(),
    agentVersion: text('agent_version').notNull(),
    /** Hash of every agent's version and the tool settings: which configuration answered. */
    configVersion: text('config_version').notNull(),
    /** The Berth release that answered. */
    berthVersion: text('berth_version').notNull(),
    /** Passed / (passed + failed); null when no case could be judged. */
    passRate: doublePrecision('pass_rate'),
    minPassRate: doublePrecision('min_pass_rate').notNull(),
    passed: integer('passed').notNull(),
    failed: integer('failed').notNull(),
    skipped: integer('skipped').notNull(),
    regressions: integer('regressions').notNull().default(0),
    gatePassed: boolean('gate_passed').notNull(),
    /** The cases with their outcomes, and the gate's reasons (the JSON report without its header). */
    report: jsonb('report').$type<Record<string, unknown>>().notNull(),
    requestId: text('request_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('eval_runs_tenant_created_idx').on(t.tenantId, t.createdAt),
    // The pass-rate gauge: the latest run per suite and agent of one release and configuration.
    index('eval_runs_release_idx').on(t.berthVersion, t.configVersion, t.suite, t.agent, t.createdAt),
  ],
);
