// Cost and budgets through the HTTP API, once per store: what a model call cost on the chat turn,
// /v1, the task step and task, and the metric; 50 concurrent chat turns against a small budget; the
// 429 envelope with its reset time on chat, /v1 and infer.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetUsage } from '../../src/modules/budgets/index.js';
import { messages } from '../../src/modules/chat/index.js';
import { type BerthInstance, type StartOptions, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { type ErrorBody, postJson, readSse } from '../support/http.js';
import { createTask, waitForTask } from '../support/tasks.js';
import { bearer, seedMember } from '../support/tenants.js';

const SMALL_DAILY_TOKENS = 1_500;

interface ChatReply {
  usage: { input_tokens: number; output_tokens: number; cost_usd: number };
  message_id: string;
}

export function defineBudgetsApiSuite(
  storeName: string,
  storeOptions: () => Promise<StartOptions & { cleanup?: () => Promise<void> }>,
) {
  describe(`cost and budgets through the API on ${storeName}`, () => {
    let berth: BerthInstance;
    let fake: FakeOpenAI;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      fake = await startFakeOpenAI();
      const configPath = join(tempDir('berth-budgets-'), 'berth.yaml');
      writeFileSync(
        configPath,
        [
          'llm:',
          '  timeoutMs: 2000',
          '  maxRetries: 0',
          '  openaiCompatible:',
          `    baseUrl: ${fake.url}`,
          'prices:',
          '  openai-compatible:',
          '    fake-model: { input: 2, output: 10 }',
          'agents:',
          '  - name: remote',
          '    provider: openai-compatible',
          '    model: fake-model',
          '    maxOutputTokens: 100',
          '  - name: small',
          '  - name: unpriced',
          '    provider: openai-compatible',
          '    model: free-model',
          'budgets:',
          '  agents:',
          `    small: { dailyTokens: ${SMALL_DAILY_TOKENS} }`,
          '    nobody: { dailyTokens: 10 }',
          '  tenants:',
          '    poor: { monthlyUsd: 0.002 }',
        ].join('\n'),
      );
      const { cleanup: storeCleanup, ...options } = await storeOptions();
      cleanup = storeCleanup;
      berth = await startBerth({ ...options, env: { BERTH_CONFIG: configPath } });
    });
    afterAll(async () => {
      await berth?.close();
      await fake?.close();
      await cleanup?.();
    });

    const chat = (body: unknown, headers?: Record<string, string>) =>
      postJson<ChatReply & ErrorBody>(`${berth.url}/api/chat`, body, headers);

    it('warns at start of a model without a price and of a budget for an agent that does not exist', () => {
      const warnings = berth.logs.filter((line) => line.level === 40).map((line) => String(line.msg));
      expect(warnings).toContainEqual(
        expect.stringContaining('model openai-compatible/free-model has no price'),
      );
      expect(warnings.filter((msg) => msg.includes('has no price'))).toHaveLength(1);
      expect(warnings).toContainEqual(
        expect.stringContaining('budgets.agents.nobody names no configured agent'),
      );
    });

    it('counts what a chat turn cost: on the reply, on the stored message and in the metric', async () => {
      fake.enqueue(fakeReply.ok('Priced answer.', { inputTokens: 1_000, outputTokens: 200 }));
      const reply = await chat({ message: 'What does this cost?', agent: 'remote' });
      expect(reply.status).toBe(200);
      // 1000 × 2 + 200 × 10 USD per million tokens.
      expect(reply.body.usage).toEqual({ input_tokens: 1_000, output_tokens: 200, cost_usd: 0.004 });
      const [stored] = await berth.app.store.db
        .select({ cost: messages.costUsd })
        .from(messages)
        .where(eq(messages.id, reply.body.message_id));
      expect(stored?.cost).toBe(0.004);
      const metrics = await (await fetch(`${berth.url}/metrics`)).text();
      expect(metrics).toMatch(
        /berth_llm_cost_usd_total\{tenant="default",agent="remote",model="fake-model"\} 0\.004\b/,
      );
    });

    it('gives a streamed turn its cost in the done event', async () => {
      fake.enqueue(fakeReply.ok('Streamed and priced.', { inputTokens: 2_000, outputTokens: 100 }));
      const response = await fetch(`${berth.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'Stream it', agent: 'remote' }),
      });
      const events = await readSse(response);
      const done = events.find((e) => e.event === 'done')?.data as ChatReply | undefined;
      expect(done?.usage).toEqual({ input_tokens: 2_000, output_tokens: 100, cost_usd: 0.005 });
    });

    it('gives /v1/chat/completions its cost in usage', async () => {
      fake.enqueue(fakeReply.ok('Also priced.', { inputTokens: 500, outputTokens: 50 }));
      const reply = await postJson<{ usage: Record<string, number> }>(`${berth.url}/v1/chat/completions`, {
        model: 'remote',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(reply.status).toBe(200);
      expect(reply.body.usage).toEqual({
        prompt_tokens: 500,
        completion_tokens: 50,
        total_tokens: 550,
        cost_usd: 0.0015,
      });
    });

    it("records a model step's cost on the step and sums it on the task", async () => {
      fake.enqueue(
        fakeReply.ok('Answer one.', { inputTokens: 100, outputTokens: 10 }),
        fakeReply.ok('Answer two.', { inputTokens: 300, outputTokens: 30 }),
      );
      const created = await createTask(berth.url, {
        description: 'Two answers',
        agent: 'remote',
        steps: [
          { key: 'one', tool: 'answer', input: { question: 'First?' } },
          { key: 'two', tool: 'answer', input: { question: 'Second?' }, depends_on: ['one'] },
        ],
      });
      expect(created.status).toBe(202);
      const task = await waitForTask(berth.url, created.body.task_id);
      expect(task.status).toBe('completed');
      const view = task as unknown as {
        steps: Array<{ key: string; usage: { cost_usd: number } }>;
        usage: { input_tokens: number; output_tokens: number; cost_usd: number };
      };
      expect(view.steps.map((s) => [s.key, s.usage.cost_usd])).toEqual([
        ['one', 0.0003],
        ['two', 0.0009],
      ]);
      expect(view.usage).toEqual({ input_tokens: 400, output_tokens: 40, cost_usd: 0.0012 });
    });

    it('lets 50 concurrent chat turns spend no more than the budget and one call, and refuses the rest with 429', async () => {
      const replies = await Promise.all(
        Array.from({ length: 50 }, (_, i) => chat({ message: `Concurrent question ${i}`, agent: 'small' })),
      );
      const ok = replies.filter((r) => r.status === 200);
      const refused = replies.filter((r) => r.status === 429);
      expect(ok.length + refused.length).toBe(50);
      expect(ok.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);
      const oneCall = Math.max(...ok.map((r) => r.body.usage.input_tokens + r.body.usage.output_tokens));
      const [spent] = await berth.app.store.db
        .select({ tokens: budgetUsage.tokens, reserved: budgetUsage.reservedTokens })
        .from(budgetUsage)
        .where(sql`${budgetUsage.agent} = 'small' and ${budgetUsage.period} = 'day'`);
      const reported = ok.reduce((sum, r) => sum + r.body.usage.input_tokens + r.body.usage.output_tokens, 0);
      expect(spent?.tokens).toBe(reported);
      expect(spent?.reserved).toBe(0);
      expect(spent?.tokens).toBeLessThanOrEqual(SMALL_DAILY_TOKENS + oneCall);

      const first = refused[0] as (typeof refused)[number];
      const tomorrow = new Date();
      tomorrow.setUTCHours(24, 0, 0, 0);
      expect(first.body.error).toMatchObject({
        code: 'budget_exhausted',
        details: { resets_at: tomorrow.toISOString(), scope: 'agent', period: 'day', unit: 'tokens' },
      });
      const retryAfter = Number(first.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
    });

    it('refuses /v1 and infer with the same 429 once the budget is spent, and another tenant is not affected', async () => {
      const completion = await postJson<ErrorBody>(`${berth.url}/v1/chat/completions`, {
        model: 'small',
        messages: [{ role: 'user', content: 'one more' }],
      });
      expect(completion.status, JSON.stringify(completion.body)).toBe(429);
      expect(completion.body.error.code).toBe('budget_exhausted');
      expect(completion.headers.get('retry-after')).toMatch(/^\d+$/);
      const infer = await postJson<ErrorBody>(`${berth.url}/v1/agent/infer`, {
        workflow: 'small',
        user_id: 'ann',
        input: { text: 'one more' },
      });
      expect(infer.status).toBe(429);
      expect(infer.body.error.details).toMatchObject({ scope: 'agent', agent: 'small' });

      const other = await seedMember(berth, 'other', 'olga', 'member');
      const theirs = await chat({ message: 'my own budget', agent: 'small' }, bearer(other));
      expect(theirs.status).toBe(200);
    });

    it("refuses a tenant past its monthly cost budget, naming the month's end, and fails its task step", async () => {
      const poor = await seedMember(berth, 'poor', 'pat', 'member');
      fake.enqueue(fakeReply.ok('Spends it all.', { inputTokens: 100, outputTokens: 100 }));
      const first = await chat({ message: 'first', agent: 'remote' }, bearer(poor));
      expect(first.status).toBe(200);
      const calls = fake.chatRequests().length;
      expect(first.body.usage.cost_usd).toBe(0.0012);
      const second = await chat({ message: 'second', agent: 'remote' }, bearer(poor));
      expect(second.status).toBe(429);
      const nextMonth = new Date();
      nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1, 1);
      nextMonth.setUTCHours(0, 0, 0, 0);
      expect(second.body.error.details).toMatchObject({
        scope: 'tenant',
        period: 'month',
        unit: 'usd',
        limit: 0.002,
        resets_at: nextMonth.toISOString(),
      });
      // Refused before the provider was asked.
      expect(fake.chatRequests()).toHaveLength(calls);

      const created = await createTask(
        berth.url,
        {
          description: 'x',
          agent: 'remote',
          steps: [{ key: 'a', tool: 'answer', input: { question: 'Q?' } }],
        },
        bearer(poor),
      );
      const task = await waitForTask(berth.url, created.body.task_id, { headers: bearer(poor) });
      expect(task.status).toBe('failed');
      expect(task.steps[0]?.error?.code).toBe('budget_exhausted');
      // Not retried: the budget is not back before the reset.
      expect(task.steps[0]?.attempts).toBe(1);
      expect(fake.chatRequests()).toHaveLength(calls);
    });
  });
}
