import { bigint, date, doublePrecision, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenants } from '../identity/index.js';

/**
 * What a tenant (agent `''`) or one of its agents spent in one day or month. Budgets reserve an
 * estimate with one conditional upsert before a model call and settle the real figure after it,
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
    /** Settled: what finished calls reported. */
    tokens: bigint('tokens', { mode: 'number' }).notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    /** Estimates of calls still in flight; kept apart so spend (and the cost alert) counts only real figures. */
    reservedTokens: bigint('reserved_tokens', { mode: 'number' }).notNull().default(0),
    reservedUsd: doublePrecision('reserved_usd').notNull().default(0),
    /** When the tenant's monthly cost alert fired (tenant rows of a month only): once per period. */
    alertedAt: timestamp('alerted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.agent, t.period, t.periodStart] })],
);
