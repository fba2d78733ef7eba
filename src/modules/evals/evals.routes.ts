import { z } from 'zod';
import { errorReply, type HttpApp } from '../../platform/http/index.js';
import type { EvalRunRow } from './evals.repository.js';
import type { EvalsService, RunDetail } from './evals.service.js';
import { caseResultSchema, regressionSchema, reportSchema } from './report.schema.js';

const errors = { 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply };

export const runSummary = z.object({
  id: z.string(),
  suite: z.string(),
  agent: z.string(),
  agent_version: z.string(),
  config_version: z.string(),
  berth_version: z.string(),
  pass_rate: z.number().nullable(),
  min_pass_rate: z.number(),
  totals: z.object({ cases: z.number(), passed: z.number(), failed: z.number(), skipped: z.number() }),
  regressions: z.number(),
  gate_passed: z.boolean(),
  user_id: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  created_at: z.string(),
});

const runDetail = runSummary.extend({
  suite_file: z.string(),
  target: z.string(),
  model: z.string().nullable(),
  gate_reasons: z.array(z.string()),
  regression_cases: z.array(regressionSchema),
  cases: z.array(caseResultSchema),
});

const summaryWire = (run: EvalRunRow): z.infer<typeof runSummary> => ({
  id: run.id,
  suite: run.suite,
  agent: run.agent,
  agent_version: run.agentVersion,
  config_version: run.configVersion,
  berth_version: run.berthVersion,
  pass_rate: run.passRate,
  min_pass_rate: run.minPassRate,
  totals: {
    cases: run.passed + run.failed + run.skipped,
    passed: run.passed,
    failed: run.failed,
    skipped: run.skipped,
  },
  regressions: run.regressions,
  gate_passed: run.gatePassed,
  user_id: run.userId,
  started_at: run.startedAt.toISOString(),
  finished_at: run.finishedAt.toISOString(),
  created_at: run.createdAt.toISOString(),
});

const detailWire = (run: EvalRunRow) => {
  // Written by EvalsService.record, in this shape.
  const detail = run.report as RunDetail;
  return {
    ...summaryWire(run),
    suite_file: detail.suite_file,
    target: detail.target,
    model: detail.model,
    gate_reasons: detail.gate_reasons,
    regression_cases: detail.regressions,
    cases: detail.cases,
  };
};

export function registerEvalRoutes(app: HttpApp, deps: { evals: EvalsService }) {
  const { evals } = deps;
  app.route({
    method: 'GET',
    url: '/api/evals',
    config: { permission: 'evals:read' },
    schema: {
      tags: ['evals'],
      description:
        "The tenant's recorded `berth eval` runs, newest first, each with the agent and configuration version it ran against.",
      querystring: z.object({
        suite: z.string().min(1).max(64).optional(),
        agent: z.string().min(1).max(64).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(20),
      }),
      response: { 200: z.object({ runs: z.array(runSummary) }), ...errors },
    },
    handler: async (request) => ({
      runs: (await evals.list(request.actor, request.query)).map(summaryWire),
    }),
  });

  app.route({
    method: 'GET',
    url: '/api/evals/:id',
    config: { permission: 'evals:read' },
    schema: {
      tags: ['evals'],
      description:
        'One recorded run with its cases: status, reasons, assertions, latency, tokens and output.',
      params: z.object({ id: z.uuid() }),
      response: { 200: runDetail, ...errors },
    },
    handler: async (request) => detailWire(await evals.get(request.actor, request.params.id)),
  });

  app.route({
    method: 'POST',
    url: '/api/evals',
    config: { permission: 'evals:write' },
    schema: {
      tags: ['evals'],
      description:
        "Records a run (the JSON report `berth eval --against` wrote) against this server. The agent and configuration versions stored are this server's.",
      body: reportSchema,
      response: { 201: runSummary, ...errors },
    },
    handler: async (request, reply) =>
      reply.status(201).send(summaryWire(await evals.record(request.actor, request.body, request.id))),
  });
}
