import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt } from '../../platform/db/index.js';
import { tenants } from '../identity/index.js';

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
