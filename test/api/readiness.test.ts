// /readyz as operators read it: the store, migrations and worker progress, and each model provider's circuit.
// A provider fails on a loopback fake OpenAI server until its breaker opens; the pod is not ready only when
// that leaves the default agent without a provider, and is ready again once the pause is over.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { getJson, postJson } from '../support/http.js';

interface Check {
  name: string;
  ok: boolean;
  error?: string;
  degraded?: boolean;
  detail?: string;
}
interface Ready {
  status: 'ready' | 'not_ready';
  checks: Check[];
}

const FAILURES = 2;
const PAUSE_MS = 1_500;

/** Settings shared by both set-ups: the fake as OpenAI, no retries, a breaker that opens after FAILURES. */
function configFile(lines: string[]): string {
  const path = join(tempDir('berth-readiness-'), 'berth.yaml');
  writeFileSync(
    path,
    [
      'llm:',
      '  timeoutMs: 2000',
      '  maxRetries: 0',
      `  breaker: { consecutiveFailures: ${FAILURES}, halfOpenAfterMs: ${PAUSE_MS} }`,
      ...lines,
    ].join('\n'),
  );
  return path;
}

const readyz = (berth: BerthInstance) => getJson<Ready>(`${berth.url}/readyz`);
/** The berth_ready sample of /metrics (what KEDA's store_ready trigger reads), or undefined. */
const readyGauge = async (berth: BerthInstance) => {
  const text = await (await fetch(`${berth.url}/metrics`)).text();
  return /^berth_ready (\S+)$/m.exec(text)?.[1];
};
const circuitCheck = (ready: Ready) => ready.checks.find((check) => check.name === 'llm:openai');

async function openCircuit(berth: BerthInstance, fake: FakeOpenAI, agent?: string) {
  fake.enqueue(fakeReply.forever(fakeReply.status(500)));
  for (let i = 0; i < FAILURES; i++) {
    const reply = await postJson(`${berth.url}/api/chat`, {
      message: `fail ${i}`,
      ...(agent ? { agent } : {}),
    });
    expect(reply.status).toBeGreaterThanOrEqual(500);
  }
  const refused = await postJson<{ error: { code: string } }>(`${berth.url}/api/chat`, {
    message: 'refused',
    ...(agent ? { agent } : {}),
  });
  expect(refused.status).toBe(503);
  expect(refused.body.error.code).toBe('llm_unavailable');
  expect(fake.chatRequests()).toHaveLength(FAILURES);
}

describe('/readyz', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake?.close());
  beforeEach(() => fake.reset());

  describe('when the default agent has one provider', () => {
    let berth: BerthInstance;
    beforeAll(async () => {
      berth = await startBerth({
        env: {
          BERTH_CONFIG: configFile([`  openai: { baseUrl: ${fake.url} }`]),
          BERTH_LLM_PROVIDER: 'openai',
          BERTH_LLM_MODEL: 'fake-model',
          OPENAI_API_KEY: 'sk-readiness-test',
        },
      });
    });
    afterAll(() => berth?.close());

    it('reports the store, migrations, worker progress and the closed circuit', async () => {
      const ready = await readyz(berth);
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: 'ready',
        checks: [
          { name: 'store', ok: true },
          { name: 'migrations', ok: true },
          { name: 'progress', ok: true },
          { name: 'llm:openai', ok: true, detail: 'circuit closed; agents: default' },
        ],
      });
      expect(await readyGauge(berth)).toBe('1');
    });

    it('is not ready while the open circuit leaves the default agent without a provider, and says so', async () => {
      await openCircuit(berth, fake);
      const ready = await readyz(berth);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('not_ready');
      const circuit = circuitCheck(ready.body);
      expect(circuit).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/^circuit open.*agents: default$/),
      });
      expect(circuit?.error).toMatch(
        /circuit open, calls refused for \d s: the default agent has no provider left/,
      );
      // The other checks still pass: the circuit alone makes it not ready.
      expect(ready.body.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual([
        'llm:openai',
      ]);
      expect(await readyGauge(berth)).toBe('0');
      const status = await getJson<{ ready: Ready }>(`${berth.url}/api/status`);
      expect(status.body.ready.status).toBe('not_ready');
      // The same verdict (its countdown may have ticked between the two reads).
      const counted = (check?: { detail?: string; error?: string }) =>
        JSON.stringify(check).replace(/refused for \d+ s/g, 'refused for N s');
      expect(counted(circuitCheck(status.body.ready))).toBe(counted(circuit));
    });

    it('is ready again once the pause is over, before any call: a pod out of its Service gets none to try with', async () => {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS + 100));
      const ready = await readyz(berth);
      expect(ready.status).toBe(200);
      expect(circuitCheck(ready.body)).toEqual({
        name: 'llm:openai',
        ok: true,
        degraded: true,
        detail: 'circuit open, the next call is a trial; agents: default',
      });
      fake.reset();
      fake.enqueue(fakeReply.ok('back'));
      expect((await postJson(`${berth.url}/api/chat`, { message: 'trial' })).status).toBe(200);
      expect(circuitCheck((await readyz(berth)).body)).toEqual({
        name: 'llm:openai',
        ok: true,
        detail: 'circuit closed; agents: default',
      });
    });
  });

  describe("when another agent's provider is open", () => {
    let berth: BerthInstance;
    beforeAll(async () => {
      berth = await startBerth({
        env: {
          BERTH_CONFIG: configFile([
            `  openai: { baseUrl: ${fake.url} }`,
            'agents:',
            '  - name: remote',
            '    provider: openai',
            '    model: fake-model',
          ]),
          OPENAI_API_KEY: 'sk-readiness-test',
        },
      });
    });
    afterAll(() => berth?.close());

    it('reports the open circuit as degraded and stays ready: the default agent still answers', async () => {
      await openCircuit(berth, fake, 'remote');
      const ready = await readyz(berth);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ready');
      expect(circuitCheck(ready.body)).toEqual({
        name: 'llm:openai',
        ok: true,
        degraded: true,
        detail: expect.stringMatching(/^circuit open, calls refused for \d s; agents: remote$/),
      });
      // The offline default agent has no circuit to report.
      expect(ready.body.checks.map((check) => check.name)).toEqual([
        'store',
        'migrations',
        'progress',
        'llm:openai',
      ]);
      expect((await postJson(`${berth.url}/api/chat`, { message: 'still here' })).status).toBe(200);
    });
  });
});
