// Tasks that send their result on: the rule planner's "email it to" / "post it to" and explicit
// plans with send_email and http_post, against a loopback SMTP server and webhook receiver. Nothing
// is sent before a person approves the step; after approval it is sent once, with the stable
// Message-ID / Idempotency-Key the tools derive from the step's key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/modules/tools/index.js';
import { type SmtpReceiver, startSmtpReceiver } from '../../src/modules/tools/testdata/smtp-receiver.js';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';
import { createTask, type TaskView, waitForTask } from '../support/tasks.js';

let berth: BerthInstance;
let bare: BerthInstance;
let site: FixtureSite;
let smtp: SmtpReceiver;
let hook: WebhookReceiver;

beforeAll(async () => {
  [site, smtp, hook] = await Promise.all([startFixtureSite(), startSmtpReceiver(), startWebhookReceiver()]);
  site.route('/harbour', {
    body: articlePage('Harbours', ['A harbour shelters ships from the sea.', 'Tides shape every harbour.']),
  });
  berth = await startBerth({
    env: {
      BERTH_FETCH_ALLOW: site.host,
      // localhost is allowed by name only: what it resolves to (loopback) must still be refused.
      BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port},localhost:${hook.port}`,
      BERTH_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      BERTH_SMTP_FROM: 'Berth <berth@example.org>',
      BERTH_STEP_MAX_ATTEMPTS: '1',
    },
  });
  bare = await startBerth();
});
afterAll(async () => {
  await Promise.all([berth?.close(), bare?.close()]);
  await Promise.all([site?.close(), smtp?.close(), hook?.close()]);
});

interface Approval {
  approval_id: string;
  tool: string;
  step_id: string;
  arguments: Record<string, unknown>;
  args_hash: string;
}

const waiting = (task: TaskView) => task.status === 'awaiting_approval' || task.status === 'failed';

async function pendingApprovals(taskId: string): Promise<Approval[]> {
  const { body } = await getJson<{ approvals: Approval[] }>(
    `${berth.url}/api/approvals?task=${taskId}&status=pending`,
  );
  return body.approvals;
}

async function approve(approval: Approval) {
  const reply = await postJson(`${berth.url}/api/approvals/${approval.approval_id}/approve`, {
    args_hash: approval.args_hash,
  });
  expect(reply.status).toBe(200);
}

describe('a task that e-mails its result (rule planner)', () => {
  it('waits for approval with the exact mail, sends nothing before, and sends it once after', async () => {
    const description = `Summarise ${site.url}/harbour and email it to alice@example.com`;
    const created = await createTask(berth.url, { description });
    expect(created.status).toBe(202);
    const paused = await waitForTask(berth.url, created.body.task_id, { until: waiting });
    expect(paused.status).toBe('awaiting_approval');
    expect(paused.planner).toBe('rule');
    expect(paused.planner_note).toMatch(
      /then send the result where the request says, once approved\), because/,
    );
    expect(paused.steps.map((s) => [s.key, s.status])).toEqual([
      ['fetch_1', 'completed'],
      ['extract_1', 'completed'],
      ['summarize', 'completed'],
      ['send_email', 'awaiting_approval'],
    ]);
    expect(smtp.mails).toHaveLength(0);

    const [approval] = await pendingApprovals(created.body.task_id);
    expect(approval?.tool).toBe('send_email');
    expect(approval?.arguments).toEqual({
      to: ['alice@example.com'],
      subject: `Summarise ${site.url}/harbour`,
      text: expect.stringMatching(/harbour/i),
    });
    await approve(approval as Approval);

    const done = await waitForTask(berth.url, created.body.task_id);
    expect(done.status).toBe('completed');
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.to).toEqual(['alice@example.com']);
    expect(mail?.headers.subject).toBe(`Summarise ${site.url}/harbour`);
    expect(mail?.headers.from).toBe('Berth <berth@example.org>');
    const key = `${created.body.task_id}:send_email:${approval?.args_hash}`;
    expect(mail?.headers['message-id']).toBe(messageIdFor(key));
    expect(mail?.body).toContain(String(approval?.arguments.text).slice(0, 30));
  });

  it('is refused with 400 naming the description where no SMTP server is configured', async () => {
    const reply = await postJson<ErrorBody>(`${bare.url}/api/tasks`, {
      description: 'What is a harbour? Email it to alice@example.com',
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('validation_failed');
    expect(reply.body.error.details).toEqual([
      { field: 'body.description', message: expect.stringContaining('send_email tool') },
    ]);
  });
});

describe('a task that posts to a webhook (explicit plan)', () => {
  it('waits for approval, then posts once with the Idempotency-Key of its step', async () => {
    const before = hook.deliveries.length;
    const created = await createTask(berth.url, {
      description: 'Tell the team',
      steps: [
        { key: 'say', tool: 'answer', input: { question: 'Say hello to the team' } },
        {
          key: 'notify',
          tool: 'http_post',
          input: { url: `${hook.origin}/hook`, body: { text: { $from: 'say', path: 'answer' } } },
          depends_on: ['say'],
        },
      ],
    });
    expect(created.status).toBe(202);
    await waitForTask(berth.url, created.body.task_id, { until: waiting });
    expect(hook.deliveries.length).toBe(before);
    const [approval] = await pendingApprovals(created.body.task_id);
    expect(approval?.tool).toBe('http_post');
    await approve(approval as Approval);
    const done = await waitForTask(berth.url, created.body.task_id);
    expect(done.status).toBe('completed');
    const delivered = hook.deliveries.slice(before);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.headers['idempotency-key']).toBe(
      `${created.body.task_id}:notify:${approval?.args_hash}`,
    );
    expect(JSON.parse(delivered[0]?.body ?? '{}')).toEqual(approval?.arguments.body);
    expect(done.steps.find((s) => s.key === 'notify')?.output).toMatchObject({ status: 200 });
  });

  it('refuses, even approved, an allowed name that resolves to a loopback address', async () => {
    const before = hook.deliveries.length;
    const created = await createTask(berth.url, {
      description: 'Post by name',
      steps: [
        { key: 'post', tool: 'http_post', input: { url: `http://localhost:${hook.port}/hook`, body: {} } },
      ],
    });
    await waitForTask(berth.url, created.body.task_id, { until: waiting });
    const [approval] = await pendingApprovals(created.body.task_id);
    await approve(approval as Approval);
    const done = await waitForTask(berth.url, created.body.task_id);
    expect(done.status).toBe('failed');
    expect(done.steps[0]?.error?.code).toBe('ssrf_blocked');
    expect(hook.deliveries.length).toBe(before);
  });

  it('fails the approved step without sending when the webhook is not on the allow list', async () => {
    const created = await createTask(berth.url, {
      description: 'Probe an internal port',
      steps: [
        { key: 'probe', tool: 'http_post', input: { url: `http://127.0.0.1:${hook.port + 1}/x`, body: {} } },
      ],
    });
    await waitForTask(berth.url, created.body.task_id, { until: waiting });
    const [approval] = await pendingApprovals(created.body.task_id);
    await approve(approval as Approval);
    const done = await waitForTask(berth.url, created.body.task_id);
    expect(done.status).toBe('failed');
    expect(done.steps[0]?.error?.code).toBe('webhook_not_allowed');
  });
});
