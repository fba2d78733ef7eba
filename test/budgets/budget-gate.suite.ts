// The budget gate against a real store: atomic reservations under concurrency, settling, refusals
// with their reset time, the day and month rollover (an injected clock) and the once-a-month cost alert.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type BudgetEvent,
  type BudgetsConfig,
  budgetUsage,
  createBudgets,
} from '../../src/modules/budgets/index.js';
import { tenants } from '../../src/modules/identity/index.js';
import type { GatedCall } from '../../src/modules/llm/index.js';
import type { Store } from '../../src/platform/db/index.js';
import { AppError } from '../../src/platform/errors.js';
import { createLogger, createMetricsRegistry } from '../../src/platform/telemetry/index.js';

const noLimits: BudgetsConfig = { tenant: {}, tenants: {}, agents: {} };

export function defineBudgetGateSuite(
  storeName: string,
  open: () => Promise<{ store: Store; close(): Promise<void> }>,
) {
  describe(`budget gate on ${storeName}`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let tenant = 0;
    let tenantId: string;
    let now: Date;
    let events: BudgetEvent[];

    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(() => close?.());
    beforeEach(async () => {
      tenantId = `t${++tenant}-${Math.random().toString(36).slice(2, 6)}`;
      await store.db.insert(tenants).values({ id: tenantId, name: tenantId });
      now = new Date('2026-03-31T23:59:00Z');
      events = [];
    });

    const gateWith = (config: Partial<BudgetsConfig>) => {
      const metrics = createMetricsRegistry();
      const budgets = createBudgets({
        db: store.db,
        config: { ...noLimits, ...config },
        events: { publish: (event) => events.push(event) },
        metrics,
        logger: createLogger('silent'),
        now: () => now,
      });
      return { gate: budgets.gate, metrics, enabled: budgets.enabled };
    };
    const call = (tokens: number, costUsd = 0, agent = 'writer'): GatedCall => ({
      context: { tenantId, agent, requestId: 'req-1', userId: 'ann' },
      ref: { provider: 'openai', model: 'gpt-x' },
      estimate: { tokens, costUsd },
    });
    const row = async (agent: string, period: 'day' | 'month') => {
      const [found] = await store.db
        .select()
        .from(budgetUsage)
        .where(
          and(
            eq(budgetUsage.tenantId, tenantId),
            eq(budgetUsage.agent, agent),
            eq(budgetUsage.period, period),
          ),
        )
        .orderBy(budgetUsage.periodStart);
      return found;
    };
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    };

    it('reserves nothing and writes nothing when no budget or alert is configured', async () => {
      const { gate, enabled } = gateWith({});
      expect(enabled).toBe(false);
      await (await gate.reserve(call(10_000_000))).settle({ tokens: 5, costUsd: 1 });
      expect(await row('', 'day')).toBeUndefined();
    });

    it('lets 50 concurrent calls spend no more than the limit, then refuses with the reset time', async () => {
      const { gate } = gateWith({ tenant: { dailyTokens: 1_000 } });
      // Each call reserves 100 and spends 60: without the atomic reservation all 50 would pass.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, async () => {
          const reservation = await gate.reserve(call(100));
          await new Promise((resolve) => setTimeout(resolve, 5));
          await reservation.settle({ tokens: 60, costUsd: 0 });
        }),
      );
      const passed = outcomes.filter((o) => o.status === 'fulfilled').length;
      const tenantDay = await row('', 'day');
      expect(tenantDay?.reservedTokens).toBe(0);
      expect(tenantDay?.tokens).toBe(passed * 60);
      expect(tenantDay?.tokens).toBeLessThanOrEqual(1_000 + 100);
      expect(passed).toBeGreaterThanOrEqual(10);
      expect(passed).toBeLessThan(50);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      const error = refused.reason as AppError;
      expect(error.code).toBe('budget_exhausted');
      expect(error.httpStatus).toBe(429);
      expect(error.details).toMatchObject({
        resets_at: '2026-04-01T00:00:00.000Z',
        scope: 'tenant',
        period: 'day',
        unit: 'tokens',
        limit: 1_000,
      });
      expect(error.retryAfterSeconds).toBe(60);
    });

    it('publishes budget.exhausted as a guardrail block, with the actor and the request', async () => {
      const { gate } = gateWith({ agents: { writer: { monthlyUsd: 1 } } });
      await (await gate.reserve(call(10, 0.5))).settle({ tokens: 10, costUsd: 0.8 });
      const error = await refusal(gate.reserve(call(10, 0.5)));
      expect(error.details).toMatchObject({
        scope: 'agent',
        period: 'month',
        unit: 'usd',
        limit: 1,
        used: 0.8,
      });
      expect(events).toEqual([
        {
          type: 'budget.exhausted',
          tenant_id: tenantId,
          agent: 'writer',
          blocked_by_rule: 'budget',
          request_id: 'req-1',
          user_id: 'ann',
          resets_at: '2026-04-01T00:00:00.000Z',
          scope: 'agent',
          period: 'month',
          unit: 'usd',
          limit: 1,
          used: 0.8,
        },
      ]);
      // Another agent of the same tenant has its own budget.
      await (await gate.reserve(call(10, 0.5, 'reader'))).settle({ tokens: 10, costUsd: 0.5 });
    });

    it("gives back a refused call's reservation on the rows that had room", async () => {
      const { gate } = gateWith({
        tenant: { monthlyTokens: 10_000 },
        agents: { writer: { dailyTokens: 150 } },
      });
      await (await gate.reserve(call(100))).settle({ tokens: 100, costUsd: 0 });
      await refusal(gate.reserve(call(100)));
      expect((await row('', 'month'))?.reservedTokens).toBe(0);
      expect((await row('writer', 'day'))?.reservedTokens).toBe(0);
      expect((await row('', 'month'))?.tokens).toBe(100);
    });

    it('refuses a call whose estimate alone passes a limit without touching the store', async () => {
      const { gate } = gateWith({ tenant: { dailyTokens: 50 } });
      const error = await refusal(gate.reserve(call(51)));
      expect(error.details).toMatchObject({ used: 0, limit: 50 });
      expect(await row('', 'day')).toBeUndefined();
    });

    it('releases the whole reservation of a call that failed', async () => {
      const { gate } = gateWith({ tenant: { dailyTokens: 500 } });
      const reservation = await gate.reserve(call(400));
      await refusal(gate.reserve(call(400)));
      await reservation.settle({ tokens: 0, costUsd: 0 });
      await (await gate.reserve(call(400))).settle({ tokens: 300, costUsd: 0 });
      expect(await row('', 'day')).toMatchObject({ tokens: 300, reservedTokens: 0 });
    });

    it('starts a new day at UTC midnight and a new month on the first, with the right reset times', async () => {
      const { gate } = gateWith({ tenant: { dailyTokens: 100, monthlyTokens: 250 } });
      await (await gate.reserve(call(100))).settle({ tokens: 100, costUsd: 0 });
      const daily = await refusal(gate.reserve(call(10)));
      expect(daily.details).toMatchObject({ period: 'day', resets_at: '2026-04-01T00:00:00.000Z' });
      now = new Date('2026-04-01T00:00:00Z');
      // A new month as well: both limits start again.
      await (await gate.reserve(call(100))).settle({ tokens: 100, costUsd: 0 });
      now = new Date('2026-04-02T08:00:00Z');
      await (await gate.reserve(call(100))).settle({ tokens: 100, costUsd: 0 });
      now = new Date('2026-04-03T08:00:00Z');
      const monthly = await refusal(gate.reserve(call(100)));
      expect(monthly.details).toMatchObject({
        period: 'month',
        resets_at: '2026-05-01T00:00:00.000Z',
        used: 200,
      });
      expect(monthly.retryAfterSeconds).toBe(28 * 86_400 - 8 * 3_600);
    });

    it('raises the cost alert once per month, however many calls cross it at once', async () => {
      const { gate, metrics } = gateWith({ costAlertUsd: 1 });
      const spend = () => gate.reserve(call(10, 0.3)).then((r) => r.settle({ tokens: 10, costUsd: 0.3 }));
      await spend();
      await spend();
      expect(events).toEqual([]);
      expect(await metrics.getSingleMetricAsString('berth_tenant_cost_alert')).toContain(
        `berth_tenant_cost_alert{tenant="${tenantId}"} 0`,
      );
      await Promise.all(Array.from({ length: 10 }, spend));
      const alerts = events.filter((e) => e.type === 'budget.cost_alert');
      expect(alerts).toEqual([
        {
          type: 'budget.cost_alert',
          tenant_id: tenantId,
          period: 'month',
          period_start: '2026-03-01',
          threshold_usd: 1,
          spent_usd: expect.any(Number),
        },
      ]);
      expect((alerts[0] as { spent_usd: number }).spent_usd).toBeGreaterThanOrEqual(1);
      expect(await metrics.getSingleMetricAsString('berth_tenant_cost_alert')).toContain(
        `berth_tenant_cost_alert{tenant="${tenantId}"} 1`,
      );
      // A new month: the gauge clears, and the alert can fire once more.
      now = new Date('2026-04-01T00:00:00Z');
      expect(await metrics.getSingleMetricAsString('berth_tenant_cost_alert')).not.toContain(tenantId);
      for (let i = 0; i < 4; i++) await spend();
      expect(
        events
          .filter((e) => e.type === 'budget.cost_alert')
          .map((e) => (e as { period_start: string }).period_start),
      ).toEqual(['2026-03-01', '2026-04-01']);
    });

    it('keeps tenants apart: one tenant spending its budget leaves another untouched', async () => {
      const { gate } = gateWith({
        tenant: { dailyTokens: 100 },
        tenants: { [tenantId]: { dailyTokens: 20 } },
      });
      await refusal(gate.reserve(call(30)));
      const other = `o${tenant}-${Math.random().toString(36).slice(2, 6)}`;
      await store.db.insert(tenants).values({ id: other, name: other });
      const reservation = await gate.reserve({ ...call(30), context: { tenantId: other, agent: 'writer' } });
      await reservation.settle({ tokens: 30, costUsd: 0 });
    });
  });
}
