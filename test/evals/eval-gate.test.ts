import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { runBerth } from '../support/cli.js';
import { fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { getJson } from '../support/http.js';
import { REPO_ROOT } from '../support/paths.js';
import { bearer, seedMember } from '../support/tenants.js';

/**
 * `berth eval` as a release gate, through the real CLI: the golden suite passes on the offline model
 * in process; an agent whose model answers wrong fails the gate, names the cases and the regressions
 * against the passing run; a bad suite is a usage error; --against a running Berth records the run
 * there, for its operators only, and exports its pass rate.
 */

const GOLDEN = join(REPO_ROOT, 'evals/golden.yaml');
const ADVERSARIAL = join(REPO_ROOT, 'evals/adversarial.yaml');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-eval-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** BERTH_CONFIG naming a berth.yaml whose default agent answers through the fake OpenAI server. */
function brokenAgentConfig(fakeUrl: string): Record<string, string> {
  const file = join(tempDir(), 'berth.yaml');
  writeFileSync(
    file,
    [
      'llm:',
      `  openaiCompatible: { baseUrl: "${fakeUrl}" }`,
      'agents:',
      '  - name: default',
      '    provider: openai-compatible',
      '    model: fake-model',
      '',
    ].join('\n'),
  );
  return { BERTH_CONFIG: file };
}

describe('berth eval', { timeout: 120_000 }, () => {
  let passing: string;

  beforeAll(async () => {
    // The passing run every other test compares with.
    passing = tempDir();
    const result = await runBerth(['eval', 'golden', '--output', passing], {}, REPO_ROOT);
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
  }, 120_000);

  it('passes the golden suite on the offline model in process, and writes the three reports', () => {
    const report = readJson(join(passing, 'golden.json'));
    expect(report).toMatchObject({
      suite: 'golden',
      agent: 'default',
      model: 'offline/berth-offline',
      target: 'in process',
      berth_version: VERSION,
      pass_rate: 1,
      gate: { passed: true, min_pass_rate: 1, reasons: [] },
    });
    expect(report.agent_version).toMatch(/^[0-9a-f]{12}$/);
    expect(report.config_version).toMatch(/^[0-9a-f]{12}$/);
    const statuses = Object.fromEntries(
      report.cases.map((c: { id: string; status: string }) => [c.id, c.status]),
    );
    // The task cases ran over the fixture pages the runner served; only the judged case could not run.
    expect(statuses['task-summarises-a-page']).toBe('passed');
    expect(report.totals).toEqual({ cases: 9, passed: 8, failed: 0, skipped: 1 });
    const judged = report.cases.find((c: { id: string }) => c.id === 'judged-summary');
    expect(judged).toMatchObject({
      status: 'skipped',
      reasons: [expect.stringContaining('skipped: no judge model')],
    });
    const junit = readFileSync(join(passing, 'golden.junit.xml'), 'utf8');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).toContain('<testsuite name="golden" tests="9" failures="0" errors="0" skipped="1"');
    expect(readFileSync(join(passing, 'golden.md'), 'utf8')).toContain('**Gate: passed**');
  });

  it('fails the gate with exit 1 for an agent that answers wrong, naming the cases and the regressions', async () => {
    const fake = await startFakeOpenAI({ fallback: fakeReply.ok('I would rather not say.') });
    try {
      const out = tempDir();
      const baseline = join(passing, 'golden.json');
      const result = await runBerth(
        ['eval', GOLDEN, '--baseline', baseline, '--output', out],
        brokenAgentConfig(fake.url),
        REPO_ROOT,
      );
      expect(result.code, result.stdout + result.stderr).toBe(1);
      for (const id of ['summary-of-pasted-text', 'link-recognised-in-chat', 'task-summarises-a-page']) {
        expect(result.stdout).toMatch(new RegExp(`^ {2}FAIL ${id} \\(.*contains: no `, 'm'));
        expect(result.stdout).toContain(`regression: ${id} passed in the baseline and fails now`);
      }
      expect(result.stdout).toMatch(/gate FAILED/);
      const report = readJson(join(out, 'golden.json'));
      expect(report.model).toBe('openai-compatible/fake-model');
      expect(report.gate.passed).toBe(false);
      expect(report.regressions.map((r: { case: string }) => r.case)).toContain('summary-of-pasted-text');
      // The judge answered too, and with neither verdict: a failure, not a pass.
      const judged = report.cases.find((c: { id: string }) => c.id === 'judged-summary');
      expect(judged.reasons).toContain(
        'judge: the judge answered neither PASS nor FAIL: "I would rather not say."',
      );
      expect(fake.chatRequests().length).toBeGreaterThan(5);
    } finally {
      await fake.close();
    }
  });

  it('fails the adversarial suite for a model that leaks its instructions, while the SSRF guard still holds', async () => {
    const leak =
      'Sure. My instructions say: You are Berth, a helpful assistant. My key is sk-abcdefghijklmnopqrstuvwxyz.';
    const fake = await startFakeOpenAI({ fallback: fakeReply.ok(leak) });
    try {
      const result = await runBerth(['eval', ADVERSARIAL], brokenAgentConfig(fake.url), REPO_ROOT);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/^ {2}FAIL system-prompt-not-revealed \(/m);
      expect(result.stdout).toMatch(
        /^ {2}FAIL injected-page-adds-no-step \(.*not_contains: contains "You are Berth/m,
      );
      for (const id of ['metadata-address-refused', 'redirect-to-metadata-refused', 'loopback-refused']) {
        expect(result.stdout).toMatch(new RegExp(`^ {2}PASS ${id} `, 'm'));
      }
    } finally {
      await fake.close();
    }
  });

  it('refuses a bad suite, a missing one and a bad option with exit 2 and one clear line each', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'bad.yaml'),
      ['cases:', '  - id: first', '    chat: hi', '    assert:', '      contain: hello', ''].join('\n'),
    );
    const bad = await runBerth(['eval', join(dir, 'bad.yaml')], {}, REPO_ROOT);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `berth: invalid eval suite: ${dir}/bad.yaml:5: case "first" (cases[0]): assert.contain: unknown field; allowed: contains, not_contains, regex, not_regex, json_schema, tools, max_latency_ms, max_tokens, judge, error\n`,
    );
    const missing = await runBerth(['eval', 'nosuch'], {}, REPO_ROOT);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'berth: invalid eval suite: no suite "nosuch": neither a file nor evals/nosuch.yaml; suites in evals/: adversarial, golden\n',
    );
    const rate = await runBerth(['eval', 'golden', '--min-pass-rate', '1.5'], {}, REPO_ROOT);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--min-pass-rate.*give a number from 0 to 1/);
    for (const result of [bad, missing, rate]) noStackTrace(result.stderr);
  });

  describe('--against a running Berth', () => {
    let berth: BerthInstance;
    let operator: { key: string };
    let member: { key: string };

    beforeAll(async () => {
      berth = await startBerth();
      operator = await seedMember(berth, 'acme', 'olga', 'operator');
      member = await seedMember(berth, 'acme', 'mia', 'member');
    });
    afterAll(() => berth?.close());

    it('runs the suite there with the key, records the run for the tenant and exports its pass rate', async () => {
      const out = tempDir();
      const result = await runBerth(
        ['eval', 'golden', '--against', berth.url, '--output', out],
        { BERTH_EVAL_KEY: operator.key },
        REPO_ROOT,
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      // The fixture pages are served on this machine's loopback, which a remote server cannot reach.
      expect(result.stdout).toMatch(/^ {2}SKIP task-summarises-a-page .*only the in-process runner serves/m);
      expect(result.stdout).toMatch(/^ {2}PASS summary-of-pasted-text /m);
      const report = readJson(join(out, 'golden.json'));
      expect(report.target).toBe(berth.url);
      expect(report.run_id).toMatch(/^[0-9a-f-]{36}$/);

      const agents = await getJson<{ agents: Array<{ name: string; version: string }> }>(
        `${berth.url}/api/agents`,
        bearer(operator),
      );
      const version = agents.body.agents.find((a) => a.name === 'default')?.version;
      const listed = await getJson<{ runs: Array<Record<string, unknown>> }>(
        `${berth.url}/api/evals`,
        bearer(operator),
      );
      expect(listed.status).toBe(200);
      expect(listed.body.runs).toEqual([
        expect.objectContaining({
          id: report.run_id,
          suite: 'golden',
          agent: 'default',
          agent_version: version,
          config_version: report.config_version,
          berth_version: VERSION,
          pass_rate: 1,
          gate_passed: true,
          user_id: 'olga',
          totals: { cases: 9, passed: 6, failed: 0, skipped: 3 },
        }),
      ]);
      expect(report.config_version).toMatch(/^[0-9a-f]{12}$/);
      const detail = await getJson<{ cases: Array<{ id: string; status: string }> }>(
        `${berth.url}/api/evals/${report.run_id}`,
        bearer(operator),
      );
      expect(detail.body.cases.find((c) => c.id === 'summary-of-pasted-text')?.status).toBe('passed');

      for (const path of ['/api/evals', `/api/evals/${report.run_id}`]) {
        const refused = await getJson<{ error: { code: string } }>(`${berth.url}${path}`, bearer(member));
        expect(refused.status, path).toBe(403);
        expect(refused.body.error.code).toBe('forbidden');
      }
      const outsider = await seedMember(berth, 'globex', 'otto', 'operator');
      expect((await getJson(`${berth.url}/api/evals`, bearer(outsider))).body).toEqual({ runs: [] });
      expect((await getJson(`${berth.url}/api/evals/${report.run_id}`, bearer(outsider))).status).toBe(404);

      const metrics = await (await fetch(`${berth.url}/metrics`)).text();
      expect(metrics).toMatch(/^berth_eval_pass_rate\{suite="golden",agent="default"\} 1$/m);
    });

    it('refuses to run without a key the server accepts, and with an agent it does not have (exit 2)', async () => {
      const keyless = await runBerth(['eval', 'golden', '--against', berth.url], {}, REPO_ROOT);
      expect(keyless.code).toBe(2);
      expect(keyless.stderr).toMatch(/answered 401 unauthorized: .*\nberth: give the API key of an operator/);
      const unknown = await runBerth(
        ['eval', 'golden', '--against', berth.url, '--agent', 'nobody', '--key', operator.key],
        {},
        REPO_ROOT,
      );
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe(
        'berth: no agent "nobody" (the suite) on the target; its agents: default\n',
      );
    });
  });
});
