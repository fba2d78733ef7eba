import { z } from 'zod';
import { positiveInt } from '../../platform/config/index.js';

const usd = z.coerce.number().min(0).max(1e9);

/** Limits of one scope; a limit left out is no limit. Periods are UTC days and months. */
export const budgetLimits = z.strictObject({
  dailyTokens: positiveInt.optional(),
  monthlyTokens: positiveInt.optional(),
  dailyUsd: usd.optional(),
  monthlyUsd: usd.optional(),
});
export type BudgetLimits = z.output<typeof budgetLimits>;

const tenantId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a tenant id');
const agentName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'an agent name');

/**
 * The `budgets` section of berth.yaml. `tenant` applies to every tenant, unless `tenants.<id>`
 * replaces it for that one; `agents.<name>` limits what each tenant spends through that agent.
 * Either kind of limit refuses a model call (429 budget_exhausted) that would pass it.
 */
export const budgetsSection = z
  .strictObject({
    /** Every tenant's limits (default none). */
    tenant: budgetLimits.default({}),
    /** Per-tenant limits that replace `tenant` for that tenant (`{}`: none). */
    tenants: z.record(tenantId, budgetLimits).default({}),
    /** Per-agent limits, counted per tenant. */
    agents: z.record(agentName, budgetLimits).default({}),
    /** USD a tenant may spend in a month before `budget.cost_alert` fires (once per month); BERTH_COST_ALERT_THRESHOLD. */
    costAlertUsd: usd.optional(),
  })
  .default({ tenant: {}, tenants: {}, agents: {} });
export type BudgetsConfig = z.output<typeof budgetsSection>;

const hasLimit = (limits: BudgetLimits) => Object.values(limits).some((value) => value !== undefined);

/** Whether anything is configured: with nothing, Berth counts no usage per tenant (no store writes per call). */
export const budgetsEnabled = (config: BudgetsConfig): boolean =>
  config.costAlertUsd !== undefined ||
  hasLimit(config.tenant) ||
  Object.values(config.tenants).some(hasLimit) ||
  Object.values(config.agents).some(hasLimit);
