import { bigint, date, doublePrecision, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenants } from '../identity/index.js';

/**
 * What a tenant (agent `''`) or one of its agents spent in one day or month. Budgets reserve an
 * estimate with one conditional UPDATE before a model call and settle the real figure after it,
 * so concurrent calls cannot together pass a limit by more than one call.
 */
export const budgetUsage = pgTable(
  'budget_usage',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** The agent, or '' for the whole tenant. */
    agent: text('agent').notNull(),
    period: text('period', { enum: ['day', 'month'] }).notNull(),
    /** First day of the period (UTC). */
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.agent, t.period, t.periodStart] })],
);
