import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type Baseline,
  buildReport,
  caseLine,
  createBerthClient,
  type EvalReport,
  EvalSetupError,
  httpTransport,
  loadSuite,
  parseBaseline,
  runSuite,
  type Suite,
  summaryLines,
  TargetError,
  writeReports,
} from '../modules/evals/index.js';
import { CliError } from './cli-error.js';
import type { EvalCommandContext } from './eval-command.js';
import type { EvalTarget } from './eval-target.js';

export interface EvalOptions {
  agent?: string;
  against?: string;
  key?: string;
  baseline?: string;
  output?: string;
  minPassRate: number;
}

function readSuite(name: string, cwd: string): Suite {
  const suite = loadSuite(name, cwd);
  if (!suite.ok) throw new CliError(`invalid eval suite: ${suite.error.problems.join('\nberth: ')}`, 2);
  return suite.value;
}

function readBaseline(file: string | undefined, cwd: string, suite: string): Baseline | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`--baseline ${file}: cannot be read (${(error as Error).message})`, 2);
  }
  const baseline = parseBaseline(text, file, suite);
  if (!baseline.ok) throw new CliError(`--baseline ${baseline.error}`, 2);
  return baseline.value;
}

async function openTarget(
  suite: Suite,
  options: EvalOptions,
  context: EvalCommandContext,
): Promise<EvalTarget> {
  if (!options.against) {
    // Loaded here: help and --against need none of the app's modules.
    const { openInProcessTarget } = await import('./eval-target.js');
    return openInProcessTarget(suite, (checks) => context.config(checks), context.logTo);
  }
  const key = options.key ?? context.env.BERTH_EVAL_KEY;
  const client = createBerthClient(httpTransport(options.against, key || undefined));
  return { client, close: async () => {} };
}

/** POST /api/evals on the server the suite ran against; the report takes the ids and versions it stored. */
async function record(
  target: EvalTarget,
  report: EvalReport,
  context: EvalCommandContext,
): Promise<EvalReport> {
  const reply = await target.client
    .recordRun(report)
    .catch((error: Error) => ({ status: 0, text: error.message }));
  if (reply.status !== 201) {
    const why = reply.status === 0 ? reply.text : `${reply.status} ${reply.text.slice(0, 300)}`;
    context.err(`berth: warning: the run was not recorded on ${target.client.target}: ${why}\n`);
    return report;
  }
  const stored = JSON.parse(reply.text) as Record<string, string>;
  return {
    ...report,
    run_id: stored.id ?? null,
    agent_version: stored.agent_version ?? report.agent_version,
    config_version: stored.config_version ?? null,
    berth_version: stored.berth_version ?? null,
  };
}

/** `berth eval`: runs the suite, prints each case and the gate, writes the reports; resolves to the exit code. */
export async function runEval(
  suiteName: string,
  options: EvalOptions,
  context: EvalCommandContext,
): Promise<number> {
  const suite = readSuite(suiteName, context.cwd);
  const baseline = readBaseline(options.baseline, context.cwd, suite.name);
  const target = await openTarget(suite, options, context);
  let report: EvalReport;
  try {
    context.out(
      `Running ${suite.name} (${suite.cases.length} cases, ${suite.file}) on ${target.client.target}`,
    );
    const run = await runSuite(suite, target.client, {
      agent: options.agent,
      fixturesUrl: target.fixturesUrl,
      onCase: (result) => context.out(caseLine(result)),
    });
    report = buildReport(run, {
      minPassRate: options.minPassRate,
      baseline,
      configVersion: target.configVersion,
    });
    if (options.against) report = await record(target, report, context);
  } catch (error) {
    if (error instanceof EvalSetupError) throw new CliError(error.message, 2);
    if (error instanceof TargetError && (error.status === 401 || error.status === 403)) {
      const hint = 'give the API key of an operator (or above) with --key or BERTH_EVAL_KEY';
      throw new CliError(`${error.message}\nberth: ${hint}`, 2);
    }
    if (error instanceof TargetError) throw new CliError(error.message, 1);
    throw error;
  } finally {
    await target.close();
  }
  for (const line of summaryLines(report)) context.out(line);
  if (options.output) {
    const files = writeReports(report, resolve(context.cwd, options.output));
    context.out(`Reports: ${files.join(', ')}`);
  }
  return report.gate.passed ? 0 : 1;
}
