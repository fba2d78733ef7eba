// The SDK's own MCP client against Berth's /mcp: tools, a task with progress and its result,
// resources, approvals over MCP, and refusals without a key, for a viewer and across tenants.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type SeededKey, seedMember } from '../support/tenants.js';
import { stdioFixture } from './mcp-fixture.js';

const textOf = (read: { contents: Array<object> }) => {
  const [first] = read.contents;
  return first && 'text' in first ? String(first.text) : '';
};
type ToolReply = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: Array<{ text?: string }>;
};

describe('Berth as an MCP server (/mcp)', () => {
  let berth: BerthInstance;
  let alice: SeededKey;
  let olga: SeededKey;
  let vera: SeededKey;
  let mallory: SeededKey;
  let notes: string;
  const clients: Client[] = [];

  async function connect(key?: string): Promise<Client> {
    const client = new Client({ name: 'berth-test', version: '1.0.0' });
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${berth.url}/mcp`), { requestInit: { headers } }),
    );
    clients.push(client);
    return client;
  }
  const call = async (
    client: Client,
    name: string,
    args: Record<string, unknown>,
    onprogress?: (p: unknown) => void,
  ) =>
    (await client.callTool(
      { name, arguments: args },
      undefined,
      onprogress ? { onprogress } : {},
    )) as ToolReply;

  beforeAll(async () => {
    const dir = tempDir('berth-mcp-server-');
    notes = join(dir, 'notes.txt');
    const configPath = join(dir, 'berth.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        mcp: {
          servers: [
            {
              name: 'fixture',
              ...stdioFixture,
              env: { FIXTURE_NOTES_FILE: notes },
              tools: { write_note: {} },
            },
          ],
        },
      }),
    );
    berth = await startBerth({ env: { BERTH_CONFIG: configPath } });
    alice = await seedMember(berth, 'acme', 'alice', 'member');
    olga = await seedMember(berth, 'acme', 'olga', 'operator');
    vera = await seedMember(berth, 'acme', 'vera', 'viewer');
    mallory = await seedMember(berth, 'globex', 'mallory', 'owner');
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    await berth?.close();
  });

  it('refuses a client without a key, with a wrong key, and a viewer', async () => {
    await expect(connect()).rejects.toThrow(/"code":"unauthorized"/);
    await expect(connect('berth_not-a-real-key')).rejects.toThrow(/"code":"unauthorized"/);
    await expect(connect(vera.key)).rejects.toThrow(/"code":"forbidden"/);
    const raw = await fetch(`${berth.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('lists its tools', async () => {
    const client = await connect(alice.key);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'cancel_task',
      'chat',
      'create_task',
      'decide_approval',
      'get_task',
      'list_tasks',
    ]);
    expect(client.getServerVersion()?.name).toBe('berth');
  });

  it('creates a task, reports its steps as progress and returns its result', async () => {
    const client = await connect(alice.key);
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const reply = await call(client, 'create_task', { description: 'alice-task: what is a harbour?' }, (p) =>
      progress.push(p as (typeof progress)[number]),
    );
    expect(reply.isError).toBeFalsy();
    const task = reply.structuredContent as {
      task_id: string;
      status: string;
      result: string;
      steps: unknown[];
    };
    expect(task.status).toBe('completed');
    expect(task.result.length).toBeGreaterThan(0);
    expect(progress.some((p) => p.message?.includes('completed'))).toBe(true);
    expect(progress.at(-1)?.total).toBe(task.steps.length);

    const got = await call(client, 'get_task', { task_id: task.task_id });
    expect(got.structuredContent).toMatchObject({ task_id: task.task_id, status: 'completed' });
    const listed = await call(client, 'list_tasks', {});
    expect(
      (listed.structuredContent as { tasks: Array<{ task_id: string }> }).tasks.map((t) => t.task_id),
    ).toContain(task.task_id);

    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain(`berth://tasks/${task.task_id}`);
    const read = await client.readResource({ uri: `berth://tasks/${task.task_id}` });
    expect(JSON.parse(textOf(read))).toMatchObject({
      task_id: task.task_id,
      result: task.result,
    });

    // Another tenant's owner sees none of it.
    const outsider = await connect(mallory.key);
    const stolen = await call(outsider, 'get_task', { task_id: task.task_id });
    expect(stolen.isError).toBe(true);
    expect(stolen.structuredContent).toMatchObject({ error: { code: 'task_not_found' } });
    expect(JSON.stringify(stolen)).not.toContain('alice-task');
    const cancelled = await call(outsider, 'cancel_task', { task_id: task.task_id });
    expect(cancelled.structuredContent).toMatchObject({ error: { code: 'task_not_found' } });
    const theirs = await call(outsider, 'list_tasks', {});
    expect(JSON.stringify(theirs)).not.toContain(task.task_id);
    await expect(outsider.readResource({ uri: `berth://tasks/${task.task_id}` })).rejects.toThrow(
      /does not exist/,
    );
    expect(JSON.stringify(await outsider.listResources())).not.toContain(task.task_id);
  });

  it('chats with an agent and serves the conversation as a resource', async () => {
    const client = await connect(alice.key);
    const reply = await call(client, 'chat', { message: 'alice-chat: hello there' });
    const { conversation_id } = reply.structuredContent as { conversation_id: string };
    const read = await client.readResource({ uri: `berth://conversations/${conversation_id}` });
    const body = JSON.parse(textOf(read)) as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(body.messages[0]?.content).toBe('alice-chat: hello there');
    const outsider = await connect(mallory.key);
    await expect(outsider.readResource({ uri: `berth://conversations/${conversation_id}` })).rejects.toThrow(
      /does not exist/,
    );
    const hijack = await call(outsider, 'chat', { message: 'mine now', conversation_id });
    expect(hijack.structuredContent).toMatchObject({ error: { code: 'conversation_not_found' } });
  });

  it('refuses an explicit plan the planner would refuse, with the same code', async () => {
    const client = await connect(alice.key);
    const reply = await call(client, 'create_task', {
      description: 'bad plan',
      steps: [{ key: 'a', tool: 'no_such_tool', input: {} }],
    });
    expect(reply.isError).toBe(true);
    expect(reply.structuredContent).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('stops at a step waiting for approval, which an operator of the tenant decides over MCP', async () => {
    const noteLines = () =>
      existsSync(notes) ? readFileSync(notes, 'utf8').split('\n').filter(Boolean) : [];
    const client = await connect(alice.key);
    const created = await call(client, 'create_task', {
      description: 'store a note',
      steps: [{ key: 'note', tool: 'fixture__write_note', input: { note: 'over mcp' } }],
      wait_seconds: 20,
    });
    const task = created.structuredContent as { task_id: string; steps: Array<{ status: string }> };
    expect(task.steps[0]?.status).toBe('awaiting_approval');
    const pending = (await berth.app.http
      .inject({
        method: 'GET',
        url: `/api/approvals?task=${task.task_id}`,
        headers: { authorization: `Bearer ${olga.key}` },
      })
      .then((r) => r.json())) as { approvals: Array<{ approval_id: string; args_hash: string }> };
    const [approval] = pending.approvals;
    expect(approval).toBeDefined();
    const args = { approval_id: approval?.approval_id, decision: 'approve', args_hash: approval?.args_hash };

    expect((await call(client, 'decide_approval', args)).structuredContent).toMatchObject({
      error: { code: 'forbidden' },
    });
    const outsider = await connect(mallory.key);
    expect((await call(outsider, 'decide_approval', args)).structuredContent).toMatchObject({
      error: { code: 'approval_not_found' },
    });
    expect(noteLines()).toEqual([]);

    const operator = await connect(olga.key);
    const decided = await call(operator, 'decide_approval', args);
    expect(decided.structuredContent).toMatchObject({ status: 'approved', decided_by: 'olga' });
    const deadline = Date.now() + 15_000;
    let status = '';
    while (Date.now() < deadline && status !== 'completed') {
      status = String((await call(client, 'get_task', { task_id: task.task_id })).structuredContent?.status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('completed');
    expect(noteLines()).toEqual(['over mcp']);
  });

  it('answers GET and DELETE with 405 (stateless: no event stream, no session)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const reply = await fetch(`${berth.url}/mcp`, {
        method,
        headers: { authorization: `Bearer ${alice.key}` },
      });
      expect(reply.status).toBe(405);
      expect(reply.headers.get('allow')).toBe('POST');
    }
  });
});
