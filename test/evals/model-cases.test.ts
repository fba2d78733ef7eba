import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildReport,
  createBerthClient,
  httpTransport,
  parseSuite,
  runSuite,
  type Suite,
} from '../../src/modules/evals/index.js';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';

/**
 * The cases the offline model cannot exercise, against a running Berth whose agents answer through a
 * fake OpenAI server on loopback: a judge that says PASS or FAIL, JSON output against a schema, and
 * the tool trajectory of a chat turn taken from its tool events.
 */

const SUITE = `
suite: model-cases
judge_agent: judge
cases:
  - id: judged-pass
    agent: writer
    chat: 'Summarise: Harbours shelter ships. Ports grew where trade arrived.'
    assert:
      judge: { rubric: A faithful summary that adds no fact. }
  - id: judged-fail
    agent: writer
    chat: 'Summarise: Harbours shelter ships. Ports grew where trade arrived.'
    assert:
      judge: { rubric: A faithful summary that adds no fact. }
  - id: json-fits
    agent: writer
    chat: Describe the harbour page as JSON.
    assert:
      json_schema:
        type: object
        required: [title, tags]
        properties:
          title: { type: string }
          tags: { type: array, items: { type: string }, minItems: 1 }
  - id: json-does-not-fit
    agent: writer
    chat: Describe the harbour page as JSON.
    assert:
      json_schema: { type: object, required: [title], properties: { title: { type: string } } }
  - id: chat-tool-refused
    agent: researcher
    chat: What is at http://169.254.169.254/latest/meta-data/ ?
    assert:
      tools:
        - { tool: fetch_url, input: { url: 'http://169.254.169.254/latest/meta-data/' }, error: ssrf_blocked }
      not_contains: AccessKeyId
`;

function suite(): Suite {
  const parsed = parseSuite(SUITE, 'model-cases.yaml');
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

describe('eval cases judged by a model, with JSON output and chat tools', () => {
  let berth: BerthInstance;
  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const config = join(tempDir('berth-eval-config-'), 'berth.yaml');
    writeFileSync(
      config,
      [
        'llm:',
        `  openaiCompatible: { baseUrl: "${fake.url}" }`,
        'agents:',
        ...['writer', 'judge'].flatMap((name) => [
          `  - name: ${name}`,
          '    provider: openai-compatible',
          '    model: fake',
        ]),
        '  - name: researcher',
        '    provider: openai-compatible',
        '    model: fake',
        '    tools: [fetch_url]',
        '',
      ].join('\n'),
    );
    berth = await startBerth({ env: { BERTH_CONFIG: config } });
  });
  afterAll(async () => {
    await berth?.close();
    await fake?.close();
  });

  it('passes and fails each case on what the models answered, and says why', async () => {
    fake.enqueue(
      fakeReply.ok('Harbours shelter ships, and ports grew where trade arrived.'),
      fakeReply.ok('PASS: it only restates the two given facts.'),
      fakeReply.ok('Harbours were invented in 1850 by the Romans.'),
      fakeReply.ok('**FAIL** — it adds a date and an inventor the text does not give.'),
      fakeReply.ok('```json\n{"title": "Harbours", "tags": ["sea", "ships"]}\n```'),
      fakeReply.ok('Sure! Here it is: {"title": 3}'),
      fakeReply.toolCall('fetch_url', { url: 'http://169.254.169.254/latest/meta-data/' }),
      fakeReply.ok('I could not open that address.'),
    );
    const run = await runSuite(suite(), createBerthClient(httpTransport(berth.url)), {});
    const byId = Object.fromEntries(run.cases.map((c) => [c.id, c]));
    expect(byId['judged-pass']).toMatchObject({
      status: 'passed',
      assertions: [
        {
          assertion: 'judge',
          passed: true,
          message: 'PASS (judged by "judge"): it only restates the two given facts.',
        },
      ],
    });
    expect(byId['judged-fail']).toMatchObject({
      status: 'failed',
      reasons: ['judge: FAIL (judged by "judge"): it adds a date and an inventor the text does not give.'],
    });
    expect(byId['json-fits']?.status).toBe('passed');
    expect(byId['json-does-not-fit']?.reasons[0]).toMatch(/^json_schema: the output is not JSON \(/);
    expect(byId['chat-tool-refused']).toMatchObject({
      status: 'passed',
      tools: [
        {
          tool: 'fetch_url',
          input: { url: 'http://169.254.169.254/latest/meta-data/' },
          ok: false,
          error: 'ssrf_blocked',
        },
      ],
    });
    expect(buildReport(run).totals).toEqual({ cases: 5, passed: 3, failed: 2, skipped: 0 });

    // The judge saw the rubric and the answer it judged, marked as data.
    const judgeRequest = fake.chatRequests()[1]?.body?.messages?.at(-1)?.content;
    expect(String(judgeRequest)).toContain('Rubric:\nA faithful summary that adds no fact.');
    expect(String(judgeRequest)).toContain(
      '<<<\nHarbours shelter ships, and ports grew where trade arrived.\n>>>',
    );
  });
});
