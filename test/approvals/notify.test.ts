import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { postJson } from '../support/http.js';
import { waitForTask } from '../support/tasks.js';
import { bearer, seedMember } from '../support/tenants.js';
import { createPostTask, waitForApproval } from './approvals-support.js';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the approvals notify webhook (BERTH_APPROVAL_NOTIFY_URL)', () => {
  let hook: WebhookReceiver;
  const instances: BerthInstance[] = [];
  beforeAll(async () => {
    hook = await startWebhookReceiver();
  });
  afterAll(async () => {
    for (const berth of instances) await berth.close();
    await hook.close();
  });

  async function start(notifyPath: string) {
    const berth = await startBerth({
      env: {
        BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port}`,
        BERTH_APPROVAL_NOTIFY_URL: `${hook.origin}${notifyPath}`,
        LOG_LEVEL: 'warn',
      },
    });
    instances.push(berth);
    return { berth, operator: await seedMember(berth, 'acme', 'olga', 'operator') };
  }

  it('posts approval.requested and approval.decided as JSON, the arguments left out', async () => {
    const { berth, operator } = await start('/notify');
    const taskId = await createPostTask(berth.url, bearer(operator), {
      url: `${hook.origin}/effect`,
      body: { secret_note: 'for the approver only' },
    });
    const approval = await waitForApproval(berth.url, taskId, bearer(operator));
    const notices = () => hook.deliveries.filter((d) => d.path === '/notify');
    await until('approval.requested', () => notices().length === 1);
    await postJson(`${berth.url}/api/approvals/${approval.approval_id}/approve`, {}, bearer(operator));
    await until('approval.decided', () => notices().length === 2);
    const [requested, decided] = notices().map((d) => JSON.parse(d.body));
    expect(requested).toMatchObject({
      type: 'approval.requested',
      tenant_id: 'acme',
      approval_id: approval.approval_id,
      task_id: taskId,
      tool: 'http_post',
      args_hash: approval.args_hash,
      user_id: 'olga',
    });
    expect(decided).toMatchObject({ type: 'approval.decided', decision: 'approved', user_id: 'olga' });
    expect(notices()[0]?.headers['idempotency-key']).toBe(`${approval.approval_id}:approval.requested`);
    expect(JSON.stringify(notices().map((d) => d.body))).not.toContain('for the approver only');
    expect((await waitForTask(berth.url, taskId, { headers: bearer(operator) })).status).toBe('completed');
  });

  it('retries a failing receiver, counts the failure and never holds the step back', async () => {
    const { berth, operator } = await start('/status/503');
    const taskId = await createPostTask(berth.url, bearer(operator), {
      url: `${hook.origin}/effect-2`,
      body: {},
    });
    const approval = await waitForApproval(berth.url, taskId, bearer(operator));
    const decided = await postJson(
      `${berth.url}/api/approvals/${approval.approval_id}/approve`,
      {},
      bearer(operator),
    );
    expect(decided.status).toBe(200);
    // The step ran while the notifications were still being retried.
    expect((await waitForTask(berth.url, taskId, { headers: bearer(operator) })).status).toBe('completed');
    const failed = async () => {
      const metrics = await (await fetch(`${berth.url}/metrics`)).text();
      return /berth_approval_notifications_total\{outcome="failed"\} 2/.test(metrics);
    };
    await until('two failed notifications', failed, 30_000);
    // 1 attempt + 3 retries for each of the two events.
    expect(hook.deliveries.filter((d) => d.path === '/status/503')).toHaveLength(8);
  }, 40_000);
});
