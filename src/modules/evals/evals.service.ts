import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import type { AgentCatalog } from '../agents/index.js';
import { requireAccess } from '../identity/index.js';
import type { EvalRunRow, EvalsRepository, RunQuery } from './evals.repository.js';
import type { EvalReport } from './report.schema.js';

export interface EvalsServiceDeps {
  repo: EvalsRepository;
  agents: AgentCatalog;
  /** This process's configuration version (configVersion()) and release. */
  release: { configVersion: string; berthVersion: string };
}

/** What a run's row keeps beyond its columns: the cases and how the gate decided. */
const detailOf = (report: EvalReport) => ({
  suite_file: report.suite_file,
  description: report.description,
  target: report.target,
  model: report.model,
  observed_agent_version: report.agent_version,
  gate_reasons: report.gate.reasons,
  baseline: report.baseline,
  regressions: report.regressions,
  cases: report.cases,
});
export type RunDetail = ReturnType<typeof detailOf>;

export function createEvalsService(deps: EvalsServiceDeps) {
  const { repo, agents, release } = deps;
  return {
    /**
     * Records a run made against this server. The agent and configuration versions are this
     * server's own, not the client's: they say what answered.
     */
    async record(actor: Actor, report: EvalReport, requestId: string): Promise<EvalRunRow> {
      requireAccess(actor, 'evals:write', { tenantId: actor.tenantId });
      const agent = agents.get(report.agent);
      return repo.insert({
        tenantId: actor.tenantId,
        userId: actor.userId,
        suite: report.suite,
        agent: agent.name,
        agentVersion: agent.version,
        configVersion: release.configVersion,
        berthVersion: release.berthVersion,
        passRate: report.pass_rate,
        minPassRate: report.gate.min_pass_rate,
        passed: report.totals.passed,
        failed: report.totals.failed,
        skipped: report.totals.skipped,
        regressions: report.regressions.length,
        gatePassed: report.gate.passed,
        report: detailOf(report),
        requestId,
        startedAt: new Date(report.started_at),
        finishedAt: new Date(report.finished_at),
      });
    },

    list(actor: Actor, query: RunQuery): Promise<EvalRunRow[]> {
      requireAccess(actor, 'evals:read', { tenantId: actor.tenantId });
      return repo.list(actor.tenantId, query);
    },

    async get(actor: Actor, id: string): Promise<EvalRunRow> {
      requireAccess(actor, 'evals:read', { tenantId: actor.tenantId });
      const run = await repo.find(actor.tenantId, id);
      if (!run) throw new AppError('not_found', `Eval run ${id} does not exist`);
      return run;
    },

    /** The last pass rate per suite and agent of this release and configuration (the metric). */
    latestPassRates: () => repo.latestPassRates(release),
  };
}
export type EvalsService = ReturnType<typeof createEvalsService>;
