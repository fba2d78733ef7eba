import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../src/modules/tasks/index.js';
import { type BerthInstance, type StartOptions, startBerth } from '../support/berth-instance.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import type { ErrorBody } from '../support/http.js';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';
import { createTask, waitForTask } from '../support/tasks.js';

type Store = [string, () => Promise<StartOptions & { cleanup?: () => Promise<void> }>];
const skipPostgres = await postgresSkipReason();
const postgres: Store = [
  'Postgres',
  async () => {
    const database = await createTestDatabase();
    return { databaseUrl: database.url, cleanup: database.drop };
  },
];
const stores: Store[] = [['PGlite', async () => ({})], ...(skipPostgres ? [] : [postgres])];

let berth: BerthInstance;
let site: FixtureSite;

async function taskCount(): Promise<number> {
  const [row] = await berth.app.store.db.select({ n: count() }).from(tasks);
  return Number(row?.n);
}

// Refused plans are never run, so their steps may name any page.
const fetchStep = (key: string, depends_on: string[] = [], url = 'https://a.example/page') => ({
  key,
  tool: 'fetch_url',
  input: { url },
  depends_on,
});

const chain = () => [
  fetchStep('get', [], `${site.url}/harbour`),
  {
    key: 'text',
    tool: 'extract_text',
    input: {
      content: { $from: 'get', path: 'body' },
      contentType: { $from: 'get', path: 'contentType' },
    },
    depends_on: ['get'],
  },
  {
    key: 'sum',
    tool: 'summarize',
    input: { texts: [{ $from: 'text', path: 'text' }], instruction: 'one line' },
    depends_on: ['text'],
  },
];

describe.each(stores)('POST /api/tasks with an explicit plan on %s', (_store, storeOptions) => {
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.route('/harbour', {
      body: articlePage('Harbours', ['A harbour shelters ships from the sea.', 'Tides shape every harbour.']),
    });
    const { cleanup: drop, ...options } = await storeOptions();
    cleanup = drop;
    berth = await startBerth({
      ...options,
      env: { BERTH_FETCH_ALLOW: site.host, BERTH_STEP_MAX_ATTEMPTS: '1' },
    });
  });
  afterAll(async () => {
    await berth?.close();
    await site?.close();
    await cleanup?.();
  });

  it('runs the given steps instead of planning, recorded as planner "explicit"', async () => {
    const created = await createTask(berth.url, { description: 'Digest the harbour page', steps: chain() });
    expect(created.status).toBe(202);
    const task = await waitForTask(berth.url, created.body.task_id);
    expect(task.status).toBe('completed');
    expect(task.planner).toBe('explicit');
    expect(task.planner_note).toMatch(/explicit plan/);
    expect(task.steps.map((step) => [step.key, step.tool, step.depends_on, step.status])).toEqual([
      ['get', 'fetch_url', [], 'completed'],
      ['text', 'extract_text', ['get'], 'completed'],
      ['sum', 'summarize', ['text'], 'completed'],
    ]);
    expect(task.result).toMatch(/harbour/i);
    expect(site.hits.get('/harbour')).toBeGreaterThanOrEqual(1);
  });

  const refusals: Array<[string, unknown[], string, RegExp]> = [
    [
      'an unknown tool',
      [{ ...fetchStep('a'), tool: 'delete_everything' }],
      'body.steps.0.tool',
      /unknown tool/,
    ],
    [
      'input its tool refuses',
      [{ ...fetchStep('a'), input: { url: 'ftp://files.example/x' } }],
      'body.steps.0.input.url',
      /bad input for fetch_url/,
    ],
    [
      'an unknown input field',
      [{ ...fetchStep('a'), input: { url: 'https://a.example/page', method: 'DELETE' } }],
      'body.steps.0.input',
      /bad input for fetch_url/,
    ],
    [
      'a dependency on no step',
      [fetchStep('a'), fetchStep('b', ['a', 'ghost'])],
      'body.steps.1.depends_on.1',
      /unknown step "ghost"/,
    ],
    [
      'a reference to a step it does not depend on',
      [fetchStep('a'), { key: 'b', tool: 'extract_text', input: { content: { $from: 'a', path: 'body' } } }],
      'body.steps.1.input.content',
      /uses the output of "a" without depending on it/,
    ],
    ['a cycle', [fetchStep('a', ['b']), fetchStep('b', ['a'])], 'body.steps.0.depends_on', /cycle/],
    ['a step depending on itself', [fetchStep('a', ['a'])], 'body.steps.0.depends_on', /cycle/],
    ['two steps with one key', [fetchStep('a'), fetchStep('a')], 'body.steps.1.key', /share the key "a"/],
    [
      'more than 20 steps',
      Array.from({ length: 21 }, (_, i) => fetchStep(`s${i}`)),
      'body.steps',
      /at most 20/,
    ],
    ['no steps', [], 'body.steps', /no steps/],
  ];

  it.each(refusals)(
    'refuses %s with 400 naming the step and field, storing nothing',
    async (_name, steps, field, message) => {
      const before = await taskCount();
      const reply = await createTask(berth.url, { description: 'fixed workflow', steps });
      const body = reply.body as unknown as ErrorBody;
      expect(reply.status).toBe(400);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).toContain(`${field}:`);
      expect(body.error.details).toEqual([{ field, message: expect.stringMatching(message) }]);
      expect(await taskCount()).toBe(before);
    },
  );

  it.each([
    ['a key that is not lower_snake_case', [{ ...fetchStep('a'), key: 'Fetch Page' }], 'body.steps.0.key'],
    ['an unknown step property', [{ ...fetchStep('a'), dependsOn: [] }], 'body.steps.0'],
    [
      'input that is not an object',
      [{ ...fetchStep('a'), input: 'https://a.example/' }],
      'body.steps.0.input',
    ],
  ])('refuses %s as a schema error', async (_name, steps, field) => {
    const reply = await createTask(berth.url, { description: 'fixed workflow', steps });
    const body = reply.body as unknown as ErrorBody;
    expect(reply.status).toBe(400);
    expect(body.error.code).toBe('validation_failed');
    expect(JSON.stringify(body.error.details)).toContain(field);
  });

  it('still requires a description', async () => {
    const reply = await createTask(berth.url, { steps: chain() });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('body.description');
  });

  it('treats other steps under the same Idempotency-Key as another request', async () => {
    const headers = { 'idempotency-key': 'explicit-plan-1' };
    const first = await createTask(berth.url, { description: 'same', steps: [fetchStep('a')] }, headers);
    const again = await createTask(berth.url, { description: 'same', steps: [fetchStep('a')] }, headers);
    expect(again.status).toBe(202);
    expect(again.body.task_id).toBe(first.body.task_id);
    const other = await createTask(berth.url, { description: 'same', steps: [fetchStep('b')] }, headers);
    expect(other.status).toBe(422);
    expect(other.body.error?.code).toBe('idempotency_key_reused');
  });

  it('reaches no internal address through an explicit fetch step', async () => {
    const created = await createTask(berth.url, {
      description: 'probe',
      steps: [
        { key: 'probe', tool: 'fetch_url', input: { url: 'http://169.254.169.254/latest/meta-data/' } },
      ],
    });
    expect(created.status).toBe(202);
    const task = await waitForTask(berth.url, created.body.task_id);
    expect(task.status).toBe('failed');
    expect(task.steps[0]?.error?.code).toBe('ssrf_blocked');
  });
});
