export { checkAssertions } from './assertions.js';
export {
  type AgentInfo,
  type BerthClient,
  createBerthClient,
  httpTransport,
  type Observation,
  TargetError,
  type Transport,
} from './berth-client.js';
export { configVersion } from './config-version.js';
export { registerEvalPassRateGauge } from './evals.metrics.js';
export { createEvalsRepository } from './evals.repository.js';
export { registerEvalRoutes } from './evals.routes.js';
export { createEvalsService, type EvalsService } from './evals.service.js';
export { evalRuns } from './evals.tables.js';
export { type FixtureSite, serveFixtures } from './fixture-site.js';
export { type Baseline, parseBaseline } from './gate.js';
export { type EvalReport, reportSchema } from './report.schema.js';
export { caseLine, summaryLines, toJUnit, toMarkdown, writeReports } from './reports.js';
export { buildReport, EvalSetupError, IN_PROCESS, runSuite } from './runner.js';
export type { Suite } from './suite.schema.js';
export { loadSuite, parseSuite, SuiteError } from './suite-loader.js';
