import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';
import { waitForTask } from '../support/tasks.js';
import { bearer, type SeededKey, seedMember } from '../support/tenants.js';
import { type ApprovalView, createPostTask, waitForApproval } from './approvals-support.js';

let hook: WebhookReceiver;
beforeAll(async () => {
  hook = await startWebhookReceiver();
});
afterAll(() => hook.close());

const approve = (berth: BerthInstance, key: SeededKey, id: string) =>
  postJson<ApprovalView & ErrorBody>(`${berth.url}/api/approvals/${id}/approve`, {}, bearer(key));

describe('an approval that nobody decides in time (BERTH_APPROVAL_TTL_MS)', () => {
  let berth: BerthInstance;
  let operator: SeededKey;
  beforeAll(async () => {
    berth = await startBerth({
      env: { BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port}`, BERTH_APPROVAL_TTL_MS: '400', LOG_LEVEL: 'warn' },
    });
    operator = await seedMember(berth, 'acme', 'olga', 'operator');
  });
  afterAll(() => berth?.close());

  it('cannot be approved once expired (409 approval_expired), and the sweep fails its step with approval_expired', async () => {
    const taskId = await createPostTask(berth.url, bearer(operator), {
      url: `${hook.origin}/late`,
      body: {},
    });
    const approval = await waitForApproval(berth.url, taskId, bearer(operator));
    expect(new Date(approval.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(400);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const late = await approve(berth, operator, approval.approval_id);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('approval_expired');
    const task = await waitForTask(berth.url, taskId, { headers: bearer(operator), timeoutMs: 15_000 });
    expect(task.status).toBe('failed');
    expect(task.error).toMatchObject({ code: 'approval_expired', step: 'post' });
    expect(task.steps[0]?.status).toBe('failed');
    const { body } = await getJson<ApprovalView>(
      `${berth.url}/api/approvals/${approval.approval_id}`,
      bearer(operator),
    );
    expect(body.status).toBe('expired');
    const after = await approve(berth, operator, approval.approval_id);
    expect(after.body.error.code).toBe('approval_expired');
    expect(hook.deliveries.filter((d) => d.path === '/late')).toHaveLength(0);
  }, 30_000);
});

describe('four eyes (BERTH_APPROVAL_FOUR_EYES)', () => {
  let berth: BerthInstance;
  let requester: SeededKey;
  let second: SeededKey;
  beforeAll(async () => {
    berth = await startBerth({
      env: {
        BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port}`,
        BERTH_APPROVAL_FOUR_EYES: 'true',
        LOG_LEVEL: 'warn',
      },
    });
    requester = await seedMember(berth, 'acme', 'olga', 'operator');
    second = await seedMember(berth, 'acme', 'otto', 'admin');
  });
  afterAll(() => berth?.close());

  it('refuses the requester (403 approval_needs_second_person) and lets another operator approve', async () => {
    const taskId = await createPostTask(berth.url, bearer(requester), {
      url: `${hook.origin}/four`,
      body: {},
    });
    const approval = await waitForApproval(berth.url, taskId, bearer(requester));
    expect(approval).toMatchObject({ four_eyes: true, requested_by: 'olga' });
    const own = await approve(berth, requester, approval.approval_id);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('approval_needs_second_person');
    const ownReject = await postJson<ErrorBody>(
      `${berth.url}/api/approvals/${approval.approval_id}/reject`,
      { reason: 'changed my mind' },
      bearer(requester),
    );
    expect(ownReject.body.error.code).toBe('approval_needs_second_person');
    const other = await approve(berth, second, approval.approval_id);
    expect(other.status).toBe(200);
    expect(other.body.decided_by).toBe('otto');
    expect((await waitForTask(berth.url, taskId, { headers: bearer(second) })).status).toBe('completed');
    expect(hook.deliveries.filter((d) => d.path === '/four')).toHaveLength(1);
  });
});
