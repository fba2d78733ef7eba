import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argsHash } from '../../src/modules/approvals/index.js';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { queryRows } from '../../src/platform/db/index.js';
import { type BerthInstance, type StartOptions, startBerth } from '../support/berth-instance.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';
import { type TaskView, waitForTask } from '../support/tasks.js';
import { bearer, type SeededKey, seedMember } from '../support/tenants.js';
import { type ApprovalView, createPostTask, waitForApproval } from './approvals-support.js';

/** The approvals API over a real app, once per store (PGlite and Postgres). */
export function defineApprovalsApiSuite(
  storeName: string,
  storeOptions: () => Promise<StartOptions & { cleanup?: () => Promise<void> }>,
) {
  describe(`approvals API on ${storeName}`, () => {
    let berth: BerthInstance;
    let hook: WebhookReceiver;
    let cleanup: (() => Promise<void>) | undefined;
    let operator: SeededKey;
    let member: SeededKey;
    let viewer: SeededKey;
    let stranger: SeededKey;
    const as = (key: SeededKey) => bearer(key);

    beforeAll(async () => {
      hook = await startWebhookReceiver();
      const { cleanup: storeCleanup, ...options } = await storeOptions();
      cleanup = storeCleanup;
      berth = await startBerth({
        ...options,
        env: {
          BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port}`,
          BERTH_STEP_RETRY_BASE_MS: '50',
          LOG_LEVEL: 'warn',
        },
      });
      operator = await seedMember(berth, 'acme', 'olga', 'operator');
      member = await seedMember(berth, 'acme', 'mia', 'member');
      viewer = await seedMember(berth, 'acme', 'vic', 'viewer');
      stranger = await seedMember(berth, 'globex', 'gus', 'owner');
    });
    afterAll(async () => {
      await berth?.close();
      await hook?.close();
      await cleanup?.();
    });

    const deliveriesTo = (path: string) => hook.deliveries.filter((d) => d.path === path);
    const newTask = async (path: string, body: Record<string, unknown> = { note: path }) => {
      const taskId = await createPostTask(berth.url, as(member), { url: `${hook.origin}${path}`, body });
      return { taskId, approval: await waitForApproval(berth.url, taskId, as(operator)) };
    };
    const approve = (key: SeededKey, id: string, body: unknown = {}) =>
      postJson<ApprovalView & ErrorBody>(`${berth.url}/api/approvals/${id}/approve`, body, as(key));
    const reject = (key: SeededKey, id: string, body: unknown) =>
      postJson<ApprovalView & ErrorBody>(`${berth.url}/api/approvals/${id}/reject`, body, as(key));

    it('pauses a side-effecting step for approval, bound to the hash of its exact arguments', async () => {
      const body = { b: [1, 2], a: 'héllo' };
      const { taskId, approval } = await newTask('/paused', body);
      const args = { url: `${hook.origin}/paused`, body };
      expect(approval).toMatchObject({
        status: 'pending',
        task_id: taskId,
        tool: 'http_post',
        arguments: args,
        // Key order does not matter: RFC 8785 canonical JSON.
        args_hash: argsHash({ body: { a: 'héllo', b: [1, 2] }, url: args.url }),
        requested_by: 'mia',
        four_eyes: false,
        decided_by: null,
      });
      const ttl = new Date(approval.expires_at).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(23 * 3_600_000);
      expect(ttl).toBeLessThanOrEqual(24 * 3_600_000);
      const task = await waitForTask(berth.url, taskId, {
        headers: as(operator),
        until: (t) => t.status === 'awaiting_approval',
      });
      expect(task.steps[0]).toMatchObject({ status: 'awaiting_approval', attempts: 0 });
      // No lease, no worker: nothing claims it, nothing is sent.
      const [row] = await queryRows<{ lease_expires_at: unknown }>(
        berth.app.store.db,
        sql`SELECT lease_expires_at FROM steps WHERE task_id = ${taskId}`,
      );
      expect(row?.lease_expires_at).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(deliveriesTo('/paused')).toHaveLength(0);
    });

    it('runs the step once approved, with the idempotency key task:step:hash; a second decision is 409', async () => {
      const { taskId, approval } = await newTask('/approved');
      const decided = await approve(operator, approval.approval_id, { args_hash: approval.args_hash });
      expect(decided.status).toBe(200);
      expect(decided.body).toMatchObject({ status: 'approved', decided_by: 'olga' });
      const task = await waitForTask(berth.url, taskId, { headers: as(operator) });
      expect(task.status).toBe('completed');
      expect(deliveriesTo('/approved')).toHaveLength(1);
      expect(deliveriesTo('/approved')[0]?.headers['idempotency-key']).toBe(
        `${taskId}:post:${approval.args_hash}`,
      );
      const again = await approve(operator, approval.approval_id);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('approval_decided');
      const late = await reject(operator, approval.approval_id, { reason: 'too late' });
      expect(late.body.error.code).toBe('approval_decided');
      expect(deliveriesTo('/approved')).toHaveLength(1);
    });

    it('refuses an approval for other arguments than the approver saw (409 approval_args_changed)', async () => {
      const { approval } = await newTask('/seen');
      const wrong = await approve(operator, approval.approval_id, { args_hash: 'f'.repeat(64) });
      expect(wrong.status).toBe(409);
      expect(wrong.body.error.code).toBe('approval_args_changed');
      const { body } = await getJson<ApprovalView>(
        `${berth.url}/api/approvals/${approval.approval_id}`,
        as(operator),
      );
      expect(body.status).toBe('pending');
    });

    it('fails the step with approval_args_changed when its arguments changed after approval, sending nothing', async () => {
      const { taskId, approval } = await newTask('/changed');
      // Someone with the database in hand changes what the step would send.
      await berth.app.store.db.execute(
        sql`UPDATE steps SET input = jsonb_set(input, '{body,note}', '"something else"') WHERE task_id = ${taskId}`,
      );
      expect((await approve(operator, approval.approval_id)).status).toBe(200);
      const task = await waitForTask(berth.url, taskId, { headers: as(operator) });
      expect(task.status).toBe('failed');
      expect(task.error?.code).toBe('approval_args_changed');
      expect(task.steps[0]?.attempts).toBe(1);
      expect(deliveriesTo('/changed')).toHaveLength(0);
    });

    it('fails the task when the approval is rejected, with the reason', async () => {
      const { taskId, approval } = await newTask('/rejected');
      const missing = await reject(operator, approval.approval_id, {});
      expect(missing.status).toBe(400);
      const blank = await reject(operator, approval.approval_id, { reason: '   ' });
      expect(blank.status).toBe(400);
      const rejected = await reject(operator, approval.approval_id, { reason: 'not this customer' });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'not this customer' });
      const task = await waitForTask(berth.url, taskId, { headers: as(operator) });
      expect(task.status).toBe('failed');
      expect(task.error).toMatchObject({ code: 'approval_rejected', step: 'post' });
      expect(task.steps[0]?.status).toBe('failed');
      expect(deliveriesTo('/rejected')).toHaveLength(0);
      // Not retried.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        (await getJson<TaskView>(`${berth.url}/api/tasks/${taskId}`, as(operator))).body.steps[0]?.attempts,
      ).toBe(0);
    });

    it('lets exactly one of many concurrent approvals win', async () => {
      const { taskId, approval } = await newTask('/race');
      const results = await Promise.all(
        Array.from({ length: 8 }, () => approve(operator, approval.approval_id)),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409))
        expect(r.body.error.code).toBe('approval_decided');
      expect((await waitForTask(berth.url, taskId, { headers: as(operator) })).status).toBe('completed');
      expect(deliveriesTo('/race')).toHaveLength(1);
    });

    it('hides one tenant’s approvals from another (404) and refuses viewers and members (403)', async () => {
      const { taskId, approval } = await newTask('/tenancy');
      const id = approval.approval_id;
      const read = await getJson<ErrorBody>(`${berth.url}/api/approvals/${id}`, as(stranger));
      expect(read.status).toBe(404);
      expect(read.body.error.code).toBe('approval_not_found');
      const foreign = await approve(stranger, id);
      expect(foreign.status).toBe(404);
      expect((await reject(stranger, id, { reason: 'mine now' })).status).toBe(404);
      const list = await getJson<{ approvals: ApprovalView[] }>(`${berth.url}/api/approvals`, as(stranger));
      expect(list.body.approvals).toEqual([]);
      for (const weak of [viewer, member]) {
        expect((await getJson(`${berth.url}/api/approvals`, as(weak))).status).toBe(403);
        expect((await getJson(`${berth.url}/api/approvals/${id}`, as(weak))).status).toBe(403);
        const tried = await approve(weak, id);
        expect(tried.status).toBe(403);
        expect(tried.body.error.code).toBe('forbidden');
      }
      // URL spellings reach the same route, or none.
      expect((await approve(operator, encodeURIComponent(id).replace('-', '%2D'))).status).toBe(200);
      expect((await getJson(`${berth.url}/api/approvals/..%2F..%2Fapi%2Ftasks`, as(operator))).status).toBe(
        400,
      );
      expect((await waitForTask(berth.url, taskId, { headers: as(operator) })).status).toBe('completed');
      expect(deliveriesTo('/tenancy')).toHaveLength(1);
    });

    it('filters by status and task, newest first, a page at a time', async () => {
      const first = await newTask('/page-1');
      const second = await newTask('/page-2');
      const byTask = await getJson<{ approvals: ApprovalView[] }>(
        `${berth.url}/api/approvals?task=${first.taskId}`,
        as(operator),
      );
      expect(byTask.body.approvals.map((a) => a.approval_id)).toEqual([first.approval.approval_id]);
      const page = await getJson<{ approvals: ApprovalView[]; next_cursor: string | null }>(
        `${berth.url}/api/approvals?status=pending&limit=1`,
        as(operator),
      );
      expect(page.body.approvals.map((a) => a.approval_id)).toEqual([second.approval.approval_id]);
      expect(page.body.next_cursor).not.toBeNull();
      const next = await getJson<{ approvals: ApprovalView[] }>(
        `${berth.url}/api/approvals?status=pending&limit=1&cursor=${page.body.next_cursor}`,
        as(operator),
      );
      expect(next.body.approvals[0]?.approval_id).not.toBe(second.approval.approval_id);
      expect(next.body.approvals.every((a) => a.status === 'pending')).toBe(true);
      const bad = await getJson<ErrorBody>(`${berth.url}/api/approvals?status=maybe`, as(operator));
      expect(bad.status).toBe(400);
    });
  });
}
