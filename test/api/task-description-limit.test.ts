import { count } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tasks } from '../../src/modules/tasks/index.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { type ErrorBody, postJson } from '../support/http.js';

/** summarize's `instruction` takes at most this many characters (src/modules/tools/model-tools.ts). */
const INSTRUCTION_MAX = 2_000;
const withUrl = (length: number) => {
  const head = 'Summarise https://example.com/article and say what it argues. ';
  return head + 'x'.repeat(length - head.length);
};

async function taskCount(berth: BerthInstance): Promise<number> {
  const [row] = await berth.app.store.db.select({ n: count() }).from(tasks);
  return Number(row?.n);
}

function expectRefusedDescription(reply: { status: number; body: ErrorBody }, planner: RegExp) {
  expect(reply.status).toBe(400);
  expect(reply.body.error.code).toBe('validation_failed');
  expect(reply.body.error.message).toMatch(/body\.description/);
  expect(reply.body.error.message).toMatch(planner);
  expect(reply.body.error.details).toEqual([
    {
      field: 'body.description',
      message: expect.stringMatching(
        new RegExp(`"summarize" step .*"instruction" over the ${INSTRUCTION_MAX} characters`),
      ),
      limit: INSTRUCTION_MAX,
    },
  ]);
}

describe('a task description the rule planner cannot carry', () => {
  let berth: BerthInstance;
  beforeAll(async () => {
    berth = await startBerth();
  });
  afterAll(() => berth?.close());

  it('is refused with 400 naming body.description and the limit, and nothing is stored', async () => {
    const before = await taskCount(berth);
    const reply = await postJson<ErrorBody>(`${berth.url}/api/tasks`, {
      description: withUrl(INSTRUCTION_MAX + 1),
    });
    expectRefusedDescription(reply, /built-in plan \(used because the built-in offline model cannot plan/);
    expect(await taskCount(berth)).toBe(before);
  });

  it('is accepted up to the limit, and without URLs well past it (the answer step takes more)', async () => {
    const fits = await postJson(`${berth.url}/api/tasks`, { description: withUrl(INSTRUCTION_MAX) });
    expect(fits.status).toBe(202);
    const noUrl = await postJson(`${berth.url}/api/tasks`, { description: 'Explain this. '.repeat(500) });
    expect(noUrl.status).toBe(202);
  });
});

describe('a long description with a model planner', () => {
  let fake: FakeOpenAI;
  let berth: BerthInstance;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    berth = await startBerth({
      env: {
        BERTH_LLM_PROVIDER: 'openai-compatible',
        BERTH_LLM_MODEL: 'x',
        BERTH_LLM_BASE_URL: fake.url,
        BERTH_LLM_MAX_RETRIES: '0',
      },
    });
  });
  afterAll(async () => {
    await berth?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('is accepted when the model plans it with inputs its tools take', async () => {
    const plan = {
      steps: [
        { key: 'get', tool: 'fetch_url', input: { url: 'https://example.com/article' }, dependsOn: [] },
        {
          key: 'read',
          tool: 'extract_text',
          input: {
            content: { $from: 'get', path: 'body' },
            contentType: { $from: 'get', path: 'contentType' },
          },
          dependsOn: ['get'],
        },
        {
          key: 'sum',
          tool: 'summarize',
          input: { texts: [{ $from: 'read', path: 'text' }], instruction: 'Say what it argues.' },
          dependsOn: ['read'],
        },
      ],
    };
    fake.enqueue(fakeReply.ok(JSON.stringify(plan)));
    const reply = await postJson<{ task_id: string }>(`${berth.url}/api/tasks`, {
      description: withUrl(INSTRUCTION_MAX + 500),
    });
    expect(reply.status).toBe(202);
  });

  it('is refused when the model cannot plan and the rule planner cannot carry it', async () => {
    fake.enqueue(fakeReply.status(500));
    const before = await taskCount(berth);
    const reply = await postJson<ErrorBody>(`${berth.url}/api/tasks`, {
      description: withUrl(INSTRUCTION_MAX + 500),
    });
    expectRefusedDescription(reply, /built-in plan \(used because the model could not plan/);
    expect(await taskCount(berth)).toBe(before);
  });
});
