import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/index.js';
import { evalRuns } from './evals.tables.js';

export type EvalRunRow = typeof evalRuns.$inferSelect;
export type NewEvalRun = typeof evalRuns.$inferInsert;

export interface RunQuery {
  suite?: string;
  agent?: string;
  limit: number;
}

export function createEvalsRepository(db: Db) {
  return {
    insert: async (run: NewEvalRun): Promise<EvalRunRow> => {
      const [row] = await db.insert(evalRuns).values(run).returning();
      return row as EvalRunRow;
    },

    /** The tenant's runs, newest first. */
    list: (tenantId: string, query: RunQuery) =>
      db
        .select()
        .from(evalRuns)
        .where(
          and(
            eq(evalRuns.tenantId, tenantId),
            query.suite === undefined ? undefined : eq(evalRuns.suite, query.suite),
            query.agent === undefined ? undefined : eq(evalRuns.agent, query.agent),
          ),
        )
        .orderBy(desc(evalRuns.createdAt), desc(evalRuns.id))
        .limit(query.limit),

    find: async (tenantId: string, id: string): Promise<EvalRunRow | undefined> =>
      (
        await db
          .select()
          .from(evalRuns)
          .where(and(eq(evalRuns.tenantId, tenantId), eq(evalRuns.id, id)))
      )[0],

    /**
     * The last pass rate of each suite and agent run against this release and configuration, in any
     * tenant: what /metrics exports for the deployment's own gate (a rate and two names, no tenant data).
     */
    latestPassRates: (release: { berthVersion: string; configVersion: string }) =>
      db
        .selectDistinctOn([evalRuns.suite, evalRuns.agent], {
          suite: evalRuns.suite,
          agent: evalRuns.agent,
          passRate: evalRuns.passRate,
        })
        .from(evalRuns)
        .where(
          and(
            eq(evalRuns.berthVersion, release.berthVersion),
            eq(evalRuns.configVersion, release.configVersion),
          ),
        )
        .orderBy(evalRuns.suite, evalRuns.agent, desc(evalRuns.createdAt)),
  };
}
export type EvalsRepository = ReturnType<typeof createEvalsRepository>;
