import { AppError } from '../../platform/errors.js';
import type { BudgetLimitHit } from './budget-events.js';

const amount = (unit: BudgetLimitHit['unit'], value: number) =>
  unit === 'usd' ? `${value.toFixed(4)} USD` : `${Math.round(value)} tokens`;

/** 429 budget_exhausted: which limit, how much is used, and when it resets (also as Retry-After). */
export function budgetExhausted(
  hit: BudgetLimitHit,
  who: { tenantId: string; agent: string },
  resetsAt: Date,
  now: Date,
): AppError {
  const owner =
    hit.scope === 'tenant' ? `tenant "${who.tenantId}"` : `agent "${who.agent}" in tenant "${who.tenantId}"`;
  const period = hit.period === 'day' ? 'daily' : 'monthly';
  const message =
    `The ${period} ${hit.unit === 'usd' ? 'cost' : 'token'} budget of ${owner} is spent ` +
    `(${amount(hit.unit, hit.used)} of ${amount(hit.unit, hit.limit)}, and this call could take more); ` +
    `it resets at ${resetsAt.toISOString()}.`;
  return new AppError('budget_exhausted', message, {
    details: {
      resets_at: resetsAt.toISOString(),
      scope: hit.scope,
      period: hit.period,
      unit: hit.unit,
      limit: hit.limit,
      used: hit.used,
      tenant_id: who.tenantId,
      agent: who.agent,
    },
    retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)),
  });
}
