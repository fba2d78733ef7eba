import type { PeriodName } from './budget-periods.js';

/** Which limit a refused call met. */
export interface BudgetLimitHit {
  /** `tenant`: the tenant's own limit; `agent`: the agent's limit within the tenant. */
  scope: 'tenant' | 'agent';
  period: PeriodName;
  /** `tokens` or `usd`. */
  unit: 'tokens' | 'usd';
  limit: number;
  /** Settled spend plus calls in flight, when the call was refused. */
  used: number;
}

/** The budgets module's facts on the lifecycle bus. */
export type BudgetEvent =
  /**
   * A model call refused by a budget. `blocked_by_rule: 'budget'` makes it a guardrail block
   * (berth_guardrail_blocks_total{rule="budget"} and the audit log derive from it).
   */
  | ({
      type: 'budget.exhausted';
      tenant_id: string;
      agent: string;
      blocked_by_rule: 'budget';
      request_id?: string;
      user_id?: string;
      resets_at: string;
    } & BudgetLimitHit)
  /** A tenant's spend this month reached BERTH_COST_ALERT_THRESHOLD: once per tenant and month. */
  | {
      type: 'budget.cost_alert';
      tenant_id: string;
      period: 'month';
      period_start: string;
      threshold_usd: number;
      spent_usd: number;
    };
