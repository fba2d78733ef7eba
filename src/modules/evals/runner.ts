import { VERSION } from '../../version.js';
import { type AssertionResult, checkAssertions } from './assertions.js';
import type { AgentInfo, BerthClient, Observation } from './berth-client.js';
import { type Baseline, compareWithBaseline, gateOf, passRate, totalsOf } from './gate.js';
import { judge } from './judge.js';
import { type CaseResult, type EvalReport, OUTPUT_CHARS, REPORT_FORMAT } from './report.schema.js';
import { type EvalCase, FIXTURES_PLACEHOLDER, type Suite } from './suite.schema.js';

/** A suite that cannot run against this target (an agent it names does not exist): a usage error. */
export class EvalSetupError extends Error {
  override name = 'EvalSetupError';
}

export interface RunSuiteOptions {
  /** The agent of every case that names none, over the suite's `agent`. */
  agent?: string;
  /** Where this runner serves the suite's fixture pages; without it, cases that use them are skipped. */
  fixturesUrl?: string;
  /** Called as each case ends (progress on the terminal). */
  onCase?(result: CaseResult): void;
}

export interface SuiteRun {
  suite: Suite;
  target: string;
  agent: AgentInfo;
  cases: CaseResult[];
  startedAt: Date;
  finishedAt: Date;
}

const usesFixtures = (c: EvalCase) => JSON.stringify(c).includes(FIXTURES_PLACEHOLDER);

/** The case with `{{fixtures}}` replaced everywhere it is written (inputs and expectations). */
function withFixtures(c: EvalCase, url: string): EvalCase {
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(FIXTURES_PLACEHOLDER).join(url);
    if (Array.isArray(value)) return value.map(replace);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
    }
    return value;
  };
  return replace(c) as EvalCase;
}

/** Every agent the suite names must exist on the target; the judge's too. */
function checkAgents(suite: Suite, known: Map<string, AgentInfo>, defaultAgent: string) {
  const named = new Map<string, string>([[defaultAgent, 'the suite']]);
  if (suite.judge_agent) named.set(suite.judge_agent, 'judge_agent');
  for (const c of suite.cases) {
    if (c.agent) named.set(c.agent, `case "${c.id}"`);
    if (c.assert.judge?.agent) named.set(c.assert.judge.agent, `the judge of case "${c.id}"`);
  }
  const missing = [...named].filter(([name]) => !known.has(name));
  if (missing.length === 0) return;
  const list = missing.map(([name, who]) => `"${name}" (${who})`).join(', ');
  throw new EvalSetupError(`no agent ${list} on the target; its agents: ${[...known.keys()].join(', ')}`);
}

interface CaseContext {
  client: BerthClient;
  suite: Suite;
  agents: Map<string, AgentInfo>;
  defaultAgent: string;
  fixturesUrl?: string;
}

async function observe(
  c: EvalCase,
  agent: string,
  client: BerthClient,
  timeoutMs: number,
): Promise<Observation> {
  const signal = AbortSignal.timeout(timeoutMs);
  const started = Date.now();
  try {
    if (c.chat) return await client.chat({ agent, messages: c.chat }, signal);
    return await client.task({ agent, description: c.task ?? '' }, signal);
  } catch (error) {
    const timedOut = signal.aborted;
    const message = timedOut ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    return {
      ok: false,
      error: { code: timedOut ? 'timeout' : 'error', message },
      output: message,
      tools: [],
      latencyMs: Date.now() - started,
    };
  }
}

const NOT_SERVED = "skipped: it reads the suite's fixture pages, which only the in-process runner serves";

/** The judge's verdict as an assertion, or why the case cannot be judged (skipped). */
async function judged(
  c: EvalCase,
  ctx: CaseContext,
  agent: string,
  answer: { input: string[]; output: string; timeoutMs: number },
): Promise<{ result?: AssertionResult; skipped?: string }> {
  if (!c.assert.judge) return {};
  const judgeAgent = ctx.agents.get(c.assert.judge.agent ?? ctx.suite.judge_agent ?? agent) as AgentInfo;
  const request = { rubric: c.assert.judge.rubric, input: answer.input, output: answer.output };
  try {
    const outcome = await judge(ctx.client, judgeAgent, request, AbortSignal.timeout(answer.timeoutMs));
    return outcome.kind === 'skipped'
      ? { skipped: `skipped: ${outcome.reason}` }
      : { result: outcome.result };
  } catch (error) {
    const message = `the judge did not answer: ${(error as Error).message}`;
    return { result: { assertion: 'judge', passed: false, message } };
  }
}

async function runCase(original: EvalCase, ctx: CaseContext): Promise<CaseResult> {
  const agent = original.agent ?? ctx.defaultAgent;
  const timeoutMs = original.timeout_ms ?? ctx.suite.timeout_ms;
  const base = {
    id: original.id,
    ...(original.description ? { description: original.description } : {}),
    kind: original.chat ? ('chat' as const) : ('task' as const),
    agent,
    input: original.chat ?? [original.task ?? ''],
  };
  if (usesFixtures(original) && !ctx.fixturesUrl) {
    const none = {
      assertions: [],
      latency_ms: null,
      tokens: null,
      output: '',
      tools: [],
      agent_version: null,
    };
    return { ...base, status: 'skipped', reasons: [NOT_SERVED], ...none };
  }
  const c = ctx.fixturesUrl ? withFixtures(original, ctx.fixturesUrl) : original;
  const input = c.chat ?? [c.task ?? ''];
  const obs = await observe(c, agent, ctx.client, timeoutMs);
  const assertions: AssertionResult[] = checkAssertions(c.assert, obs);
  // A turn that failed has no answer to judge; its outcome already fails the case.
  const verdict = obs.ok ? await judged(c, ctx, agent, { input, output: obs.output, timeoutMs }) : {};
  if (verdict.result) assertions.push(verdict.result);
  const failures = assertions.filter((a) => !a.passed);
  // A case that fails otherwise is failed even without a judge; one that only lacks its judge is not passed.
  const status = failures.length > 0 ? 'failed' : verdict.skipped ? 'skipped' : 'passed';
  const reasons =
    status === 'failed'
      ? failures.map((f) => `${f.assertion}: ${f.message}`)
      : verdict.skipped
        ? [verdict.skipped]
        : [];
  return {
    ...base,
    input,
    status,
    reasons,
    assertions,
    latency_ms: obs.latencyMs,
    tokens: obs.tokens ?? null,
    output: obs.output.length > OUTPUT_CHARS ? `${obs.output.slice(0, OUTPUT_CHARS)}…` : obs.output,
    tools: obs.tools,
    agent_version: obs.agentVersion ?? null,
  };
}

/** Runs every case of the suite, one after the other (so latencies are the agent's, not contention). */
export async function runSuite(
  suite: Suite,
  client: BerthClient,
  options: RunSuiteOptions = {},
): Promise<SuiteRun> {
  const startedAt = new Date();
  const agents = new Map((await client.agents()).map((a) => [a.name, a]));
  const defaultAgent = options.agent ?? suite.agent ?? 'default';
  checkAgents(suite, agents, defaultAgent);
  const ctx = { client, suite, agents, defaultAgent, fixturesUrl: options.fixturesUrl };
  const cases: CaseResult[] = [];
  for (const c of suite.cases) {
    const result = await runCase(c, ctx);
    cases.push(result);
    options.onCase?.(result);
  }
  return {
    suite,
    target: client.target,
    agent: agents.get(defaultAgent) as AgentInfo,
    cases,
    startedAt,
    finishedAt: new Date(),
  };
}

export interface ReportOptions {
  /** Default 1: every judged case must pass. */
  minPassRate?: number;
  baseline?: Baseline;
  /** The configuration's version when the runner knows it (in process); the server sets its own. */
  configVersion?: string;
  /** The Berth release that answered, when known; in process: this one. */
  berthVersion?: string;
}

/** The JSON report of a run, with its totals, comparison and gate. */
export function buildReport(run: SuiteRun, options: ReportOptions = {}): EvalReport {
  const totals = totalsOf(run.cases);
  const rate = passRate(totals);
  const compared = options.baseline ? compareWithBaseline(run.cases, options.baseline) : undefined;
  const regressions = compared?.regressions ?? [];
  return {
    format: REPORT_FORMAT,
    suite: run.suite.name,
    suite_file: run.suite.file,
    ...(run.suite.description ? { description: run.suite.description } : {}),
    agent: run.agent.name,
    agent_version: run.agent.version,
    config_version: options.configVersion ?? null,
    berth_version: options.berthVersion ?? (run.target === IN_PROCESS ? VERSION : null),
    model: `${run.agent.provider}/${run.agent.model}`,
    target: run.target,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt.toISOString(),
    duration_ms: run.finishedAt.getTime() - run.startedAt.getTime(),
    totals,
    pass_rate: rate,
    gate: gateOf(rate, options.minPassRate ?? 1, regressions),
    baseline: options.baseline
      ? {
          file: options.baseline.file,
          pass_rate: options.baseline.report.pass_rate,
          notes: compared?.notes ?? [],
        }
      : null,
    regressions,
    cases: run.cases,
    run_id: null,
  };
}

/** The target name of a run in this process. */
export const IN_PROCESS = 'in process';
