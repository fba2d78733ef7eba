import type { Db } from '../../platform/db/index.js';
import type { Publisher } from '../../platform/events/index.js';
import type { Logger, Registry } from '../../platform/telemetry/index.js';
import type { BudgetGate, GatedCall, LlmCallContext, Reservation, Spend } from '../llm/index.js';
import type { BudgetEvent, BudgetLimitHit } from './budget-events.js';
import { type Period, periodsAt } from './budget-periods.js';
import { type BudgetLimits, type BudgetsConfig, budgetsEnabled } from './budgets.config.js';
import { budgetExhausted } from './budgets.errors.js';
import { createCostAlertGauge } from './budgets.metrics.js';
import {
  type Amount,
  type BudgetsRepository,
  createBudgetsRepository,
  type UsageFigures,
  type UsageRow,
} from './budgets.repository.js';

export interface BudgetsOptions {
  db: Db;
  config: BudgetsConfig;
  events: Publisher<BudgetEvent>;
  metrics: Registry;
  logger: Logger;
  /** The clock that picks the day and month; default the system's. */
  now?: () => Date;
}

export interface Budgets {
  /** Handed to the llm registry: every model call with a call context reserves through it. */
  gate: BudgetGate;
  /** False when nothing is configured: calls then reserve nothing and write nothing. */
  enabled: boolean;
}

const FREE: Reservation = { settle: async () => {} };

function rowsFor(config: BudgetsConfig, context: LlmCallContext, day: Period, month: Period): UsageRow[] {
  const tenant: BudgetLimits = config.tenants[context.tenantId] ?? config.tenant;
  const agent: BudgetLimits = config.agents[context.agent] ?? {};
  const row = (name: string, period: Period, maxTokens?: number, maxUsd?: number): UsageRow => ({
    agent: name,
    period: period.name,
    start: period.start,
    maxTokens,
    maxUsd,
  });
  // Always the same order, so concurrent upserts lock the shared tenant rows first, in one order.
  return [
    row('', day, tenant.dailyTokens, tenant.dailyUsd),
    row('', month, tenant.monthlyTokens, tenant.monthlyUsd),
    row(context.agent, day, agent.dailyTokens, agent.dailyUsd),
    row(context.agent, month, agent.monthlyTokens, agent.monthlyUsd),
  ];
}

/** The limit a refused row met: tokens when the tokens do not fit (or only tokens are limited), else the cost. */
function hitOf(row: UsageRow, figures: UsageFigures | undefined, estimate: Spend): BudgetLimitHit {
  const usedTokens = (figures?.tokens ?? 0) + (figures?.reservedTokens ?? 0);
  const usedUsd = (figures?.costUsd ?? 0) + (figures?.reservedUsd ?? 0);
  const scope = row.agent === '' ? 'tenant' : 'agent';
  const tokensOver = row.maxTokens !== undefined && usedTokens + estimate.tokens > row.maxTokens;
  const usdOver = row.maxUsd !== undefined && usedUsd + estimate.costUsd > row.maxUsd;
  // Read after the refusal, so calls that settled since may make neither look passed: name the one set.
  if (row.maxTokens !== undefined && (tokensOver || !usdOver))
    return { scope, period: row.period, unit: 'tokens', limit: row.maxTokens, used: usedTokens };
  return { scope, period: row.period, unit: 'usd', limit: row.maxUsd ?? 0, used: usedUsd };
}

const overLimit = (row: UsageRow, estimate: Spend) =>
  (row.maxTokens !== undefined && estimate.tokens > row.maxTokens) ||
  (row.maxUsd !== undefined && estimate.costUsd > row.maxUsd);

/** Token and cost budgets per tenant and agent, per UTC day and month, and the monthly cost alert. */
export function createBudgets(options: BudgetsOptions): Budgets {
  const { config, events, logger } = options;
  const clock = options.now ?? (() => new Date());
  const repo: BudgetsRepository = createBudgetsRepository(options.db);
  const alerted = createCostAlertGauge(options.metrics, () => periodsAt(clock()).month.start);
  const enabled = budgetsEnabled(config);

  async function refuse(
    call: GatedCall,
    refused: UsageRow[],
    periods: { day: Period; month: Period },
    now: Date,
  ) {
    const figures = await repo.figures(call.context.tenantId, refused);
    // A month's limit outlasts a day's: the call may run again only once every refused row has reset.
    const row = refused.find((r) => r.period === 'month') ?? (refused[0] as UsageRow);
    const found = figures.find((f) => f.agent === row.agent && f.period === row.period);
    const hit = hitOf(row, found, call.estimate);
    const resetsAt = periods[row.period].resetsAt;
    const { tenantId, agent, requestId, userId } = call.context;
    events.publish({
      type: 'budget.exhausted',
      tenant_id: tenantId,
      agent,
      blocked_by_rule: 'budget',
      ...(requestId ? { request_id: requestId } : {}),
      ...(userId ? { user_id: userId } : {}),
      resets_at: resetsAt.toISOString(),
      ...hit,
    });
    return budgetExhausted(hit, { tenantId, agent }, resetsAt, now);
  }

  async function afterSettle(
    tenantId: string,
    month: Period,
    figures: Awaited<ReturnType<BudgetsRepository['settle']>>,
  ) {
    const threshold = config.costAlertUsd;
    const tenantMonth = figures.find((f) => f.agent === '' && f.period === 'month');
    if (threshold === undefined || !tenantMonth) return;
    if (tenantMonth.costUsd < threshold) return alerted.mark(tenantId, month.start, false);
    if (!tenantMonth.alertedAt && (await repo.markAlerted(tenantId, month.start, clock()))) {
      events.publish({
        type: 'budget.cost_alert',
        tenant_id: tenantId,
        period: 'month',
        period_start: month.start,
        threshold_usd: threshold,
        spent_usd: tenantMonth.costUsd,
      });
      logger.warn(
        { tenant_id: tenantId, spent_usd: tenantMonth.costUsd, threshold_usd: threshold },
        `tenant ${tenantId} has spent ${tenantMonth.costUsd.toFixed(2)} USD this month, past the cost alert threshold`,
      );
    }
    alerted.mark(tenantId, month.start, true);
  }

  const gate: BudgetGate = {
    async reserve(call) {
      if (!enabled) return FREE;
      const now = clock();
      const periods = periodsAt(now);
      const { tenantId } = call.context;
      const rows = rowsFor(config, call.context, periods.day, periods.month);
      const tooBig = rows.filter((row) => overLimit(row, call.estimate));
      const refused = tooBig.length > 0 ? tooBig : await repo.reserve(tenantId, rows, call.estimate);
      if (refused.length > 0) throw await refuse(call, refused, periods, now);
      const held: Amount = call.estimate;
      return {
        async settle(actual) {
          const figures = await repo.settle(tenantId, rows, held, actual);
          await afterSettle(tenantId, periods.month, figures);
        },
      };
    },
  };
  return { gate, enabled };
}
