import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BerthEvent } from '../../src/app/events.js';
import { argsHash } from '../../src/modules/approvals/index.js';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { toolMessages } from '../api/tool-agents.js';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { type ErrorBody, getJson, postJson, readSse } from '../support/http.js';
import { waitForTask } from '../support/tasks.js';
import { bearer, type SeededKey, seedMember } from '../support/tenants.js';
import type { ApprovalView } from './approvals-support.js';

interface Proposal {
  approval_id: string | null;
  task_id: string;
  tool: string;
  arguments: Record<string, unknown>;
  args_hash: string;
}
interface ChatBody {
  conversation_id: string;
  response: string;
  approvals: Proposal[];
  request_id: string;
}
interface InferBody {
  status: string;
  approval_required: boolean;
  approval_request_id?: string | null;
  task_id?: string;
  proposed_action?: { tool: string; arguments: Record<string, unknown>; args_hash: string };
  proposed_actions?: unknown[];
  answer: string;
  evidence: unknown[];
}

const blocks = async (berth: BerthInstance) => {
  const text = await (await fetch(`${berth.url}/metrics`)).text();
  const found = [...text.matchAll(/^berth_guardrail_blocks_total\{rule="(\w+)"\} (\d+)/gm)];
  return Object.fromEntries(found.map((m) => [m[1], Number(m[2])]));
};
/** Long enough for a webhook that should not be sent to have been sent. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('side-effecting tools in chat and infer wait for approval', { timeout: 120_000 }, () => {
  let berth: BerthInstance;
  let fake: FakeOpenAI;
  let hook: WebhookReceiver;
  let member: SeededKey;
  let operator: SeededKey;
  let admin: SeededKey;
  let stranger: SeededKey;
  const events: BerthEvent[] = [];

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    hook = await startWebhookReceiver();
    const configPath = join(tempDir('berth-chat-approvals-'), 'berth.yaml');
    writeFileSync(
      configPath,
      [
        'llm:',
        '  timeoutMs: 5000',
        '  maxRetries: 0',
        '  openaiCompatible:',
        `    baseUrl: ${fake.url}`,
        'agents:',
        '  - name: notifier',
        '    provider: openai-compatible',
        '    model: fake-model',
        '    tools: [http_post, fetch_url]',
        '    maxToolSteps: 3',
      ].join('\n'),
    );
    berth = await startBerth({
      env: {
        BERTH_CONFIG: configPath,
        // 127.0.0.2 is allowed by no entry: an http_post there is refused when it runs.
        BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port}`,
        BERTH_STEP_RETRY_BASE_MS: '50',
        LOG_LEVEL: 'warn',
      },
    });
    berth.app.bus.subscribeAll((event) => void events.push(event));
    member = await seedMember(berth, 'acme', 'mia', 'member');
    operator = await seedMember(berth, 'acme', 'olga', 'operator');
    admin = await seedMember(berth, 'acme', 'ada', 'admin');
    stranger = await seedMember(berth, 'globex', 'gus', 'owner');
  });
  afterAll(async () => {
    await berth?.close();
    await fake?.close();
    await hook?.close();
  });
  beforeEach(() => {
    fake.reset();
    events.length = 0;
  });

  const chat = (body: Record<string, unknown>, key = member) =>
    postJson<ChatBody & ErrorBody>(`${berth.url}/api/chat`, { agent: 'notifier', ...body }, bearer(key));
  const infer = (body: Record<string, unknown>, key = member) =>
    postJson<InferBody & ErrorBody>(
      `${berth.url}/v1/agent/infer`,
      { user_id: key.user, workflow: 'notifier', input: { text: 'Tell the team.' }, ...body },
      bearer(key),
    );
  const deliveriesTo = (path: string) => hook.deliveries.filter((d) => d.path === path);
  const approval = (id: string, key = operator) =>
    getJson<ApprovalView & ErrorBody>(`${berth.url}/api/approvals/${id}`, bearer(key));
  const approve = (id: string, hash: string) =>
    postJson<ApprovalView>(`${berth.url}/api/approvals/${id}/approve`, { args_hash: hash }, bearer(operator));

  it('does not run a chat http_post: it becomes a task waiting for approval, the reply and the model name it, approving sends it once', async () => {
    const args = { url: `${hook.origin}/chat-once`, body: { text: 'deploy done', n: 1 } };
    fake.enqueue(
      fakeReply.toolCall('http_post', args),
      fakeReply.ok('I asked an operator to approve the post.'),
    );
    const reply = await chat({ message: 'Post "deploy done" to the team hook.' });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('I asked an operator to approve the post.');
    const [proposal] = reply.body.approvals;
    expect(reply.body.approvals).toHaveLength(1);
    expect(proposal).toEqual({
      approval_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      task_id: expect.any(String),
      tool: 'http_post',
      arguments: args,
      args_hash: argsHash(args),
    });
    const approvalId = proposal?.approval_id as string;
    // The model read back which approval was requested, for exactly these arguments.
    const [toolResult] = toolMessages(fake.chatRequests()[1]?.body);
    expect(toolResult).toContain(approvalId);
    expect(toolResult).toContain('approval_requested');
    await settle();
    expect(deliveriesTo('/chat-once')).toHaveLength(0);

    const pending = await approval(approvalId);
    expect(pending.body).toMatchObject({
      status: 'pending',
      task_id: proposal?.task_id,
      tool: 'http_post',
      arguments: args,
      args_hash: argsHash(args),
      requested_by: 'mia',
    });
    expect((await approval(approvalId, stranger)).status).toBe(404);
    expect((await approve(approvalId, argsHash(args))).status).toBe(200);
    const task = await waitForTask(berth.url, proposal?.task_id as string, { headers: bearer(member) });
    expect(task.status).toBe('completed');
    expect(deliveriesTo('/chat-once')).toHaveLength(1);
    expect(JSON.parse(deliveriesTo('/chat-once')[0]?.body ?? '{}')).toEqual(args.body);
    await settle();
    expect(deliveriesTo('/chat-once')).toHaveLength(1);
  });

  it('streams the approval: tool_result names it and the done event carries it', async () => {
    const args = { url: `${hook.origin}/streamed`, body: { ok: true } };
    fake.enqueue(fakeReply.toolCall('http_post', args), fakeReply.ok('Waiting for approval.'));
    const response = await fetch(`${berth.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(member) },
      body: JSON.stringify({ agent: 'notifier', message: 'post ok' }),
    });
    const sse = await readSse(response);
    const result = sse.find((event) => event.event === 'tool_result')?.data as Record<string, unknown>;
    const done = sse.at(-1);
    expect(done?.event).toBe('done');
    const [proposal] = (done?.data as ChatBody | undefined)?.approvals ?? [];
    expect(proposal).toMatchObject({ tool: 'http_post', arguments: args, approval_id: expect.any(String) });
    expect(result).toMatchObject({ tool: 'http_post', ok: true, approval_id: proposal?.approval_id });
    expect(deliveriesTo('/streamed')).toHaveLength(0);
  });

  it('gives the model invalid_tool_input for arguments a plan refuses, and creates no task', async () => {
    fake.enqueue(fakeReply.toolCall('http_post', { body: { a: 1 } }), fakeReply.ok('That did not work.'));
    const reply = await chat({ message: 'post something' });
    expect(reply.status).toBe(200);
    expect(reply.body.approvals).toEqual([]);
    const [toolResult] = toolMessages(fake.chatRequests()[1]?.body);
    expect(toolResult).toContain('invalid_tool_input');
    expect(events.some((event) => event.type === 'task.created')).toBe(false);
  });

  it('publishes chat.turn once per committed turn, with who, what it spent and no text', async () => {
    fake.enqueue(fakeReply.ok('A harbour is a sheltered port.', { inputTokens: 30, outputTokens: 8 }));
    const reply = await chat({ message: 'What is a harbour?' });
    expect(reply.status).toBe(200);
    const turns = events.filter((event) => event.type === 'chat.turn');
    expect(turns).toEqual([
      {
        type: 'chat.turn',
        tenant_id: 'acme',
        user_id: 'mia',
        key_id: member.id,
        request_id: reply.body.request_id,
        agent: 'notifier',
        agent_version: expect.any(String),
        conversation_id: reply.body.conversation_id,
        model: 'fake-model',
        input_tokens: 30,
        output_tokens: 8,
        cost_usd: 0,
        approvals_requested: 0,
      },
    ]);
    expect(JSON.stringify(turns)).not.toMatch(/harbour/i);
    // A turn that fails (the model is down) commits nothing and publishes nothing.
    fake.enqueue(fakeReply.status(500));
    expect((await chat({ message: 'again' })).status).toBeGreaterThanOrEqual(500);
    expect(events.filter((event) => event.type === 'chat.turn')).toHaveLength(1);
    await berth.app.bus.drain();
    const audit = await getJson<{ events: Array<Record<string, unknown>> }>(
      `${berth.url}/api/audit?action=chat.turn&request_id=${reply.body.request_id}`,
      bearer(admin),
    );
    expect(audit.body.events).toEqual([
      expect.objectContaining({
        action: 'chat.turn',
        actor_user: 'mia',
        resource_type: 'conversation',
        resource_id: reply.body.conversation_id,
      }),
    ]);
  });

  it('publishes guardrail.blocked for a chat fetch_url the SSRF guard refuses, counted as ssrf and audited', async () => {
    const before = await blocks(berth);
    fake.enqueue(fakeReply.toolCall('fetch_url', { url: 'http://10.0.0.5/admin' }), fakeReply.ok('Blocked.'));
    const reply = await chat({ message: 'read the admin page' });
    expect(reply.status).toBe(200);
    const blocked = events.filter((event) => event.type === 'guardrail.blocked');
    expect(blocked).toEqual([
      expect.objectContaining({
        tenant_id: 'acme',
        user_id: 'mia',
        request_id: reply.body.request_id,
        conversation_id: reply.body.conversation_id,
        tool: 'fetch_url',
        code: 'ssrf_blocked',
        blocked_by_rule: 'ssrf',
      }),
    ]);
    await berth.app.bus.drain();
    expect((await blocks(berth)).ssrf).toBe((before.ssrf ?? 0) + 1);
    const audit = await getJson<{ events: Array<Record<string, unknown>> }>(
      `${berth.url}/api/audit?action=guardrail.blocked&request_id=${reply.body.request_id}`,
      bearer(admin),
    );
    expect(audit.body.events).toEqual([
      expect.objectContaining({ outcome: 'blocked', blocked_by_rule: 'ssrf', actor_user: 'mia' }),
    ]);
  });

  it('counts an approved http_post to a host off the allow list as webhook_allow, and sends nothing', async () => {
    const before = await blocks(berth);
    const args = { url: 'http://127.0.0.2:9/elsewhere', body: { x: 1 } };
    fake.enqueue(fakeReply.toolCall('http_post', args), fakeReply.ok('Asked.'));
    const [proposal] = (await chat({ message: 'post elsewhere' })).body.approvals;
    expect((await approve(proposal?.approval_id as string, argsHash(args))).status).toBe(200);
    const task = await waitForTask(berth.url, proposal?.task_id as string, { headers: bearer(member) });
    expect(task).toMatchObject({ status: 'failed' });
    expect(task.steps[0]).toMatchObject({ status: 'failed', error: { code: 'webhook_not_allowed' } });
    await berth.app.bus.drain();
    expect((await blocks(berth)).webhook_allow).toBe((before.webhook_allow ?? 0) + 1);
  });

  it('infer answers approval_required with the approval id, the task and the exact arguments', async () => {
    const args = { url: `${hook.origin}/infer`, body: { ticket: 42, note: 'ship it' } };
    fake.enqueue(fakeReply.toolCall('http_post', args), fakeReply.ok('Posting needs approval.'));
    const reply = await infer({ tenant_id: 'acme' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      status: 'awaiting_approval',
      approval_required: true,
      approval_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      task_id: expect.any(String),
      proposed_action: { tool: 'http_post', arguments: args, args_hash: argsHash(args) },
      answer: 'Posting needs approval.',
      evidence: [],
    });
    expect(reply.body.proposed_actions).toHaveLength(1);
    const pending = await approval(reply.body.approval_request_id as string);
    expect(pending.body).toMatchObject({
      status: 'pending',
      task_id: reply.body.task_id,
      arguments: args,
      args_hash: argsHash(args),
      requested_by: 'mia',
    });
    await settle();
    expect(deliveriesTo('/infer')).toHaveLength(0);
  });

  it("infer refuses another tenant's tenant_id with 403 before the model is asked", async () => {
    const reply = await infer({ tenant_id: 'globex' });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('forbidden');
    expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'body.tenant_id' })]);
    expect(fake.chatRequests()).toEqual([]);
    // The other tenant's owner may not name acme either.
    const theirs = await infer({ tenant_id: 'acme', user_id: 'gus' }, stranger);
    expect(theirs.status).toBe(403);
  });

  it('infer without a side effect answers completed, approval_required false', async () => {
    fake.enqueue(fakeReply.ok('Nothing to post.'));
    const reply = await infer({});
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'completed', approval_required: false });
    expect(reply.body.approval_request_id).toBeUndefined();
  });
});
