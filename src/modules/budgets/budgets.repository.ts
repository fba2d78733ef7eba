import { and, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/index.js';
import type { PeriodName } from './budget-periods.js';
import { budgetUsage } from './budgets.tables.js';

/** One budget_usage row of a call: the tenant's (agent '') or its agent's, for a day or a month. */
export interface UsageRow {
  agent: string;
  period: PeriodName;
  start: string;
  /** Limits of this row; undefined = none (the row only counts). */
  maxTokens?: number;
  maxUsd?: number;
}

export interface Amount {
  tokens: number;
  costUsd: number;
}

export interface UsageFigures extends Amount {
  agent: string;
  period: PeriodName;
  reservedTokens: number;
  reservedUsd: number;
}

const rowKey = (row: { agent: string; period: string }) => `${row.agent}\u0000${row.period}`;

/** The rows of `rows` that are this row: (agent, period, start) against the table's columns. */
function whereRows(tenantId: string, rows: readonly UsageRow[]): SQL | undefined {
  return and(
    eq(budgetUsage.tenantId, tenantId),
    or(
      ...rows.map((row) =>
        and(
          eq(budgetUsage.agent, row.agent),
          eq(budgetUsage.period, row.period),
          eq(budgetUsage.periodStart, row.start),
        ),
      ),
    ),
  );
}

/**
 * The DO UPDATE condition: the row being updated is one of `rows` and stays within that row's limits
 * with the new reservation. Evaluated on the locked, latest version of the row, so concurrent
 * reservations queue on it and each sees the others' reservations.
 */
function withinLimits(rows: readonly UsageRow[]): SQL {
  const t = budgetUsage;
  const checks = rows.map((row) => {
    const parts: SQL[] = [sql`excluded.agent = ${row.agent}`, sql`excluded.period = ${row.period}`];
    if (row.maxTokens !== undefined)
      parts.push(sql`${t.tokens} + ${t.reservedTokens} + excluded.reserved_tokens <= ${row.maxTokens}`);
    if (row.maxUsd !== undefined)
      parts.push(sql`${t.costUsd} + ${t.reservedUsd} + excluded.reserved_usd <= ${row.maxUsd}`);
    return sql`(${sql.join(parts, sql` and `)})`;
  });
  return sql`(${sql.join(checks, sql` or `)})`;
}

export function createBudgetsRepository(db: Db) {
  const t = budgetUsage;

  /**
   * An UPDATE of several rows locks them in the order it finds them; the reserving upsert locks
   * them in VALUES order (agent, then period). Updates lock in that same order first, or an upsert
   * and an update of the same rows deadlock under load.
   */
  function updateInOrder(
    tenantId: string,
    rows: readonly UsageRow[],
    set: Parameters<ReturnType<Db['update']>['set']>[0],
  ) {
    const locked = db
      .$with('locked')
      .as(
        db
          .select({ agent: t.agent, period: t.period, start: t.periodStart })
          .from(t)
          .where(whereRows(tenantId, rows))
          .orderBy(t.agent, t.period)
          .for('update'),
      );
    return db
      .with(locked)
      .update(t)
      .set(set)
      .from(locked)
      .where(
        and(
          eq(t.tenantId, tenantId),
          eq(t.agent, locked.agent),
          eq(t.period, locked.period),
          eq(t.periodStart, locked.start),
        ),
      );
  }

  const release = (tenantId: string, rows: readonly UsageRow[], held: Amount) =>
    updateInOrder(tenantId, rows, {
      reservedTokens: sql`greatest(${t.reservedTokens} - ${held.tokens}, 0)`,
      reservedUsd: sql`greatest(${t.reservedUsd} - ${held.costUsd}, 0)`,
    });

  return {
    /**
     * Reserves `estimate` on every row in one statement. Rows whose limit it would pass are left out
     * of RETURNING; then the rows that did take it give it back, and the refused rows are returned.
     * A row met for the first time is inserted unconditionally: the caller refuses an estimate over
     * a limit on its own before asking.
     */
    async reserve(tenantId: string, rows: readonly UsageRow[], estimate: Amount): Promise<UsageRow[]> {
      const taken = await db
        .insert(t)
        .values(
          rows.map((row) => ({
            tenantId,
            agent: row.agent,
            period: row.period,
            periodStart: row.start,
            reservedTokens: estimate.tokens,
            reservedUsd: estimate.costUsd,
          })),
        )
        .onConflictDoUpdate({
          target: [t.tenantId, t.agent, t.period, t.periodStart],
          set: {
            reservedTokens: sql`${t.reservedTokens} + excluded.reserved_tokens`,
            reservedUsd: sql`${t.reservedUsd} + excluded.reserved_usd`,
          },
          setWhere: withinLimits(rows),
        })
        .returning({ agent: t.agent, period: t.period });
      if (taken.length === rows.length) return [];
      const held = new Set(taken.map(rowKey));
      const heldRows = rows.filter((row) => held.has(rowKey(row)));
      if (heldRows.length > 0) await release(tenantId, heldRows, estimate);
      return rows.filter((row) => !held.has(rowKey(row)));
    },

    /** Replaces a reservation by what the call spent; returns the rows' figures after it. */
    settle: (tenantId: string, rows: readonly UsageRow[], held: Amount, actual: Amount) =>
      updateInOrder(tenantId, rows, {
        tokens: sql`${t.tokens} + ${actual.tokens}`,
        costUsd: sql`${t.costUsd} + ${actual.costUsd}`,
        reservedTokens: sql`greatest(${t.reservedTokens} - ${held.tokens}, 0)`,
        reservedUsd: sql`greatest(${t.reservedUsd} - ${held.costUsd}, 0)`,
      }).returning({ agent: t.agent, period: t.period, costUsd: t.costUsd, alertedAt: t.alertedAt }),

    /** Marks the tenant's month alerted; true for exactly one caller per tenant and month, in any process. */
    async markAlerted(tenantId: string, monthStart: string, at: Date): Promise<boolean> {
      const marked = await db
        .update(t)
        .set({ alertedAt: at })
        .where(
          and(
            eq(t.tenantId, tenantId),
            eq(t.agent, ''),
            eq(t.period, 'month'),
            eq(t.periodStart, monthStart),
            isNull(t.alertedAt),
          ),
        )
        .returning({ tenantId: t.tenantId });
      return marked.length > 0;
    },

    /** The figures of these rows, for a refusal's message (and tests). */
    figures: (tenantId: string, rows: readonly UsageRow[]): Promise<UsageFigures[]> =>
      db
        .select({
          agent: t.agent,
          period: t.period,
          tokens: t.tokens,
          costUsd: t.costUsd,
          reservedTokens: t.reservedTokens,
          reservedUsd: t.reservedUsd,
        })
        .from(t)
        .where(whereRows(tenantId, rows)),
  };
}
export type BudgetsRepository = ReturnType<typeof createBudgetsRepository>;
