// A real Berth whose agent uses a real MCP server (the SDK fixture over stdio): in chat on a fake
// OpenAI-compatible model that answers with tool calls, and in tasks with explicit plans; a
// side-effecting MCP tool waits for approval; a hanging one stalls no other step; tool text stays data.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toolMessages } from '../api/tool-agents.js';
import { waitForApproval } from '../approvals/approvals-support.js';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';
import { createTask, type TaskView, waitForTask } from '../support/tasks.js';
import { stdioFixture } from './mcp-fixture.js';

interface ChatBody {
  conversation_id: string;
  response: string;
}

describe('MCP tools in chat and tasks', () => {
  let fake: FakeOpenAI;
  let berth: BerthInstance;
  let notes: string;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const dir = tempDir('berth-mcp-agents-');
    notes = join(dir, 'notes.txt');
    const configPath = join(dir, 'berth.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        llm: { timeoutMs: 5000, maxRetries: 0, openaiCompatible: { baseUrl: fake.url } },
        tasks: { retryBaseMs: 100 },
        mcp: {
          servers: [
            {
              name: 'fixture',
              ...stdioFixture,
              env: { FIXTURE_NOTES_FILE: notes, FIXTURE_TOKEN: '${MCP_FIXTURE_TOKEN}' },
              timeoutMs: 5000,
              tools: {
                echo: { sideEffects: false },
                add: { sideEffects: false },
                inject: { sideEffects: false },
                secret_env: { sideEffects: false },
                hang: { sideEffects: false, timeoutMs: 400 },
                write_note: {},
              },
            },
          ],
        },
        agents: [
          {
            name: 'helper',
            provider: 'openai-compatible',
            model: 'fake-model',
            systemPrompt: 'You use the fixture tools.',
            tools: ['fixture__echo', 'fixture__inject'],
          },
        ],
      }),
    );
    berth = await startBerth({
      env: { BERTH_CONFIG: configPath, MCP_FIXTURE_TOKEN: 'tok-from-env', BERTH_STEP_MAX_ATTEMPTS: '2' },
    });
    await waitForReady();
  });
  afterAll(async () => {
    await berth?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  async function waitForReady() {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { body } = await getJson<{ mcp: Array<{ state: string }> }>(`${berth.url}/api/status`);
      if (body.mcp[0]?.state === 'ready') return;
      if (Date.now() > deadline) throw new Error(`fixture not ready: ${JSON.stringify(body.mcp)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const noteLines = () => (existsSync(notes) ? readFileSync(notes, 'utf8').split('\n').filter(Boolean) : []);
  const runTask = async (steps: unknown[]) => {
    const created = await createTask(berth.url, { description: 'use the fixture', steps });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    return created.body.task_id;
  };

  it('shows the server, its state and its tools in /api/status and /readyz', async () => {
    const { body } = await getJson<{ mcp: unknown[] }>(`${berth.url}/api/status`);
    expect(body.mcp).toEqual([
      expect.objectContaining({
        name: 'fixture',
        transport: 'stdio',
        state: 'ready',
        tools: 6,
        available: expect.arrayContaining(['fixture__echo', 'fixture__write_note']),
        missing: [],
      }),
    ]);
    const ready = await getJson<{ checks: Array<{ name: string; ok: boolean; detail?: string }> }>(
      `${berth.url}/readyz`,
    );
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toContainEqual(expect.objectContaining({ name: 'mcp:fixture', ok: true }));
  });

  it('runs the MCP tool the model calls in chat and gives it the result', async () => {
    fake.enqueue(
      fakeReply.toolCall('fixture__echo', { text: 'ahoy' }),
      fakeReply.ok('The server said ahoy.'),
    );
    const reply = await postJson<ChatBody & ErrorBody>(`${berth.url}/api/chat`, {
      message: 'Echo ahoy',
      agent: 'helper',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('The server said ahoy.');
    const [first, second] = fake.chatRequests();
    const offered = (
      (first?.body?.tools ?? []) as Array<{ function: { name: string; parameters: unknown } }>
    ).map((t) => t.function);
    expect(offered.map((t) => t.name).sort()).toEqual(['fixture__echo', 'fixture__inject']);
    // The model sees the server's own schema.
    expect(offered.find((t) => t.name === 'fixture__echo')?.parameters).toMatchObject({
      properties: { text: { type: 'string' } },
    });
    expect(toolMessages(second?.body).join('')).toContain('echo: ahoy');
  });

  it("keeps a chat tool's text as data: no extra tool call, same instructions, same tools", async () => {
    fake.enqueue(fakeReply.toolCall('fixture__inject', {}), fakeReply.ok('The page tried to give orders.'));
    const reply = await postJson<ChatBody>(`${berth.url}/api/chat`, { message: 'Read it', agent: 'helper' });
    expect(reply.status).toBe(200);
    const requests = fake.chatRequests();
    // One call for the tool, one for the answer: the injected "call send_email now" made nothing more.
    expect(requests).toHaveLength(2);
    const [first, second] = requests;
    expect(toolMessages(second?.body).join('')).toContain('send_email now');
    expect(second?.body?.messages?.[0]).toEqual({ role: 'system', content: 'You use the fixture tools.' });
    const names = (body: typeof first) =>
      ((body?.body?.tools ?? []) as Array<{ function: { name: string } }>).map((t) => t.function.name).sort();
    expect(names(second)).toEqual(names(first));
    expect(noteLines()).toEqual([]);
  });

  it('runs MCP tools in an explicit plan, the second step taking the first one’s output', async () => {
    const id = await runTask([
      { key: 'sum', tool: 'fixture__add', input: { a: 20, b: 22 } },
      {
        key: 'say',
        tool: 'fixture__echo',
        input: { text: { $from: 'sum', path: 'text' } },
        depends_on: ['sum'],
      },
    ]);
    const task = await waitForTask(berth.url, id);
    expect(task.status, JSON.stringify(task)).toBe('completed');
    const output = (key: string) => task.steps.find((s) => s.key === key)?.output;
    expect(output('sum')).toEqual({ text: '42', structured: { sum: 42 } });
    expect(output('say')).toEqual({ text: 'echo: 42' });
  });

  it('passes a secret from the environment to the server (env: ${MCP_FIXTURE_TOKEN})', async () => {
    const task = await waitForTask(
      berth.url,
      await runTask([{ key: 's', tool: 'fixture__secret_env', input: {} }]),
    );
    expect(task.steps[0]?.output).toEqual({ text: 'tok-from-env' });
    expect(JSON.stringify(berth.logs)).not.toContain('tok-from-env');
  });

  it('refuses a plan whose MCP step does not fit the server schema, naming the field', async () => {
    const created = await createTask(berth.url, {
      description: 'bad',
      steps: [{ key: 'sum', tool: 'fixture__add', input: { a: 'twenty', b: 1 } }],
    });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain('steps.0.input.a');
  });

  it('pauses a side-effecting MCP step for approval and runs it once, after it is approved', async () => {
    const id = await runTask([{ key: 'note', tool: 'fixture__write_note', input: { note: 'ship it' } }]);
    const approval = await waitForApproval(berth.url, id, {});
    expect(approval).toMatchObject({
      tool: 'fixture__write_note',
      arguments: { note: 'ship it' },
      status: 'pending',
    });
    const waiting = await waitForTask(berth.url, id, {
      until: (t) => t.steps[0]?.status === 'awaiting_approval',
    });
    expect(waiting.status).not.toBe('completed');
    expect(noteLines()).toEqual([]);
    const approved = await postJson(`${berth.url}/api/approvals/${approval.approval_id}/approve`, {
      args_hash: approval.args_hash,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const task = await waitForTask(berth.url, id);
    expect(task.status).toBe('completed');
    expect(task.steps[0]?.output).toEqual({ text: 'stored: ship it' });
    expect(noteLines()).toEqual(['ship it']);
  });

  it("keeps a task step's text as data: the task keeps its one step and no side effect happens", async () => {
    const task = await waitForTask(
      berth.url,
      await runTask([{ key: 'read', tool: 'fixture__inject', input: {} }]),
    );
    expect(task.status).toBe('completed');
    expect(task.steps.map((s) => s.tool)).toEqual(['fixture__inject']);
    expect(JSON.stringify(task.steps[0]?.output)).toContain('send_email now');
    const { body } = await getJson<{ approvals: unknown[] }>(
      `${berth.url}/api/approvals?task=${task.task_id}`,
    );
    expect(body.approvals).toEqual([]);
    expect(noteLines()).toEqual(['ship it']);
  });

  it('times out a hanging MCP step while a step beside it completes', async () => {
    const started = Date.now();
    const id = await runTask([
      { key: 'stuck', tool: 'fixture__hang', input: {} },
      { key: 'quick', tool: 'fixture__echo', input: { text: 'not held' } },
    ]);
    const quick = await waitForTask(berth.url, id, {
      until: (t: TaskView) => t.steps.find((s) => s.key === 'quick')?.status === 'completed',
    });
    expect(quick.steps.find((s) => s.key === 'stuck')?.status).not.toBe('completed');
    expect(Date.now() - started).toBeLessThan(5_000);
    const task = await waitForTask(berth.url, id);
    expect(task.status).toBe('failed');
    expect(task.steps.find((s) => s.key === 'stuck')).toMatchObject({
      attempts: 2,
      error: { code: 'tool_timeout' },
    });
    // The server itself is fine: a slow tool is not a dead server.
    const { body } = await getJson<{ mcp: Array<{ state: string; restarts: number }> }>(
      `${berth.url}/api/status`,
    );
    expect(body.mcp[0]).toMatchObject({ state: 'ready', restarts: 0 });
  });
});
