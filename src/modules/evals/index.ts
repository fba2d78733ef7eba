export {
  type BerthClient,
  createBerthClient,
  httpTransport,
  TargetError,
  type Transport,
} from './berth-client.js';
export { configVersion } from './config-version.js';
export { registerEvalPassRateGauge } from './evals.metrics.js';
export { createEvalsRepository } from './evals.repository.js';
export { registerEvalRoutes } from './evals.routes.js';
export { createEvalsService } from './evals.service.js';
export { type FixtureSite, serveFixtures } from './fixture-site.js';
export { type Baseline, parseBaseline } from './gate.js';
export type { EvalReport } from './report.schema.js';
export { caseLine, summaryLines, writeReports } from './reports.js';
export { buildReport, EvalSetupError, IN_PROCESS, runSuite } from './runner.js';
export type { Suite } from './suite.schema.js';
export { loadSuite, parseSuite } from './suite-loader.js';
