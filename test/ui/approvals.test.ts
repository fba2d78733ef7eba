import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { type ApprovalView, createPostTask, waitForApproval } from '../approvals/approvals-support.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, PHONE, screenshot } from '../support/browser.js';
import { getJson, postJson } from '../support/http.js';
import { waitForTask } from '../support/tasks.js';
import { bearer, type SeededKey, seedMember } from '../support/tenants.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`approvals in the browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let hook: WebhookReceiver;
  let browser: Browser;
  let operator: SeededKey;
  let member: SeededKey;
  beforeAll(async () => {
    hook = await startWebhookReceiver();
    [berth, browser] = await Promise.all([
      startBerth({ env: { BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port}`, LOG_LEVEL: 'warn' } }),
      launchChromium(),
    ]);
    // Seeding keys turns auth on: the browser then acts as whoever's key it holds.
    operator = await seedMember(berth, 'acme', 'olga', 'operator');
    member = await seedMember(berth, 'acme', 'mia', 'member');
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
    await hook?.close();
  });

  const deliveriesTo = (path: string) => hook.deliveries.filter((d) => d.path === path);
  /** A member's task with one http_post step to the receiver, paused for approval. */
  async function pausedTask(path: string, body: Record<string, unknown>) {
    const taskId = await createPostTask(berth.url, bearer(member), { url: `${hook.origin}${path}`, body });
    return { taskId, approval: await waitForApproval(berth.url, taskId, bearer(operator)) };
  }
  /** A page that sends `who`'s key, as the key prompt would have kept it. */
  async function signedIn(who: SeededKey, viewport?: typeof PHONE) {
    const opened = await openPage(browser, viewport);
    await opened.context.addInitScript(`sessionStorage.setItem('berth.apiKey', ${JSON.stringify(who.key)})`);
    return opened;
  }
  const card = (page: Page, approval: ApprovalView) =>
    page.locator(`[data-approval="${approval.approval_id}"]`);

  it('shows a paused step on its task, its exact arguments, and approving sends it once', async () => {
    const body = { order: 1042, lines: [{ sku: 'A-7', qty: 2 }], note: 'ünïcode & <b>no markup</b>' };
    const { taskId, approval } = await pausedTask('/approve-me', body);
    const { page, context, errors } = await signedIn(operator);

    await page.goto(`${berth.url}/tasks/${taskId}`);
    await page.locator('.task-actions [data-status="awaiting_approval"]').waitFor();
    const step = page.locator('.step[data-step="post"]');
    await step.locator('[data-status="awaiting_approval"]').waitFor();
    // The nav counts the one pending approval.
    await page.locator('.nav-count[data-count="1"]').waitFor();
    await screenshot(page, 'approval-task-waiting');
    await step.getByRole('link', { name: 'Open its approval' }).click();
    await page.waitForURL(/\/approvals\?task=/);

    const shown = card(page, approval);
    await shown.waitFor();
    expect(await shown.locator('h3').innerText()).toBe('http_post');
    // Exactly the arguments, in full, keys in the canonical order the hash covers.
    const shownArgs = await shown.locator('.approval-args').innerText();
    expect(JSON.parse(shownArgs)).toEqual({ url: `${hook.origin}/approve-me`, body });
    expect(shownArgs).toBe(
      JSON.stringify(
        {
          body: { lines: [{ qty: 2, sku: 'A-7' }], note: body.note, order: 1042 },
          url: `${hook.origin}/approve-me`,
        },
        null,
        2,
      ),
    );
    expect(await shown.locator('.approval-hash').innerText()).toBe(approval.args_hash);
    const facts = await shown.locator('.approval-facts').innerText();
    expect(facts).toMatch(/Requested by\s+mia just now/);
    expect(facts).toMatch(/Expires\s+in 24 h/);
    expect(await shown.locator('b').count()).toBe(0);
    await screenshot(page, 'approval-pending');

    const approveCalls: string[] = [];
    page.on('request', (r) => r.url().endsWith('/approve') && approveCalls.push(r.postData() ?? ''));
    await shown.getByRole('button', { name: 'Approve' }).click();
    await shown.locator('[data-status="approved"]').waitFor();
    // The hash it showed went with the decision.
    expect(approveCalls.map((b) => JSON.parse(b))).toEqual([{ args_hash: approval.args_hash }]);
    expect(await shown.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await shown.locator('.approval-facts').innerText()).toMatch(/Decided\s+olga/);

    await shown.getByRole('link', { name: taskId.slice(0, 8) }).click();
    await page.locator('.task-actions [data-status="completed"]').waitFor({ timeout: 20_000 });
    expect(deliveriesTo('/approve-me')).toHaveLength(1);
    expect(JSON.parse(deliveriesTo('/approve-me')[0]?.body ?? '')).toEqual(body);
    expect(await page.locator('.nav-count').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('rejects with a required reason, which fails the task and sends nothing', async () => {
    const { taskId, approval } = await pausedTask('/reject-me', { amount: 5 });
    const { page, context, errors } = await signedIn(operator, PHONE);
    await page.goto(`${berth.url}/approvals`);
    const shown = card(page, approval);
    await shown.getByRole('button', { name: 'Reject' }).click();
    const confirm = shown.getByRole('button', { name: 'Reject with this reason' });
    expect(await confirm.isDisabled()).toBe(true);
    await shown.getByLabel('Why is it rejected?').fill('   ');
    expect(await confirm.isDisabled()).toBe(true);
    await shown.getByLabel('Why is it rejected?').fill('wrong customer');
    await screenshot(page, 'approval-reject-phone');
    // Long hashes and URLs wrap: the page does not scroll sideways on a phone.
    expect(
      await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    ).toBe(0);
    await confirm.click();
    // Pending is the default view: the decided approval leaves it, and shows under Decided.
    await shown.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Decided' }).click();
    await shown.locator('[data-status="rejected"]').waitFor();
    expect(await shown.locator('.approval-reason').innerText()).toBe('wrong customer');

    const task = await waitForTask(berth.url, taskId, { headers: bearer(operator) });
    expect(task.status).toBe('failed');
    expect(task.steps[0]?.error?.code).toBe('approval_rejected');
    expect(deliveriesTo('/reject-me')).toHaveLength(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says in words, with the code, why a decision was refused', async () => {
    const { approval } = await pausedTask('/decided-elsewhere', { n: 1 });
    const { page, context } = await signedIn(operator);
    // The list as the page first saw it, served again until the click: so the page still offers Approve
    // after someone else decided, whenever its own refresh would have come.
    let stale: string | null = null;
    await page.route('**/api/approvals?*', async (route) => {
      if (stale === null) return route.continue();
      return route.fulfill({ status: 200, contentType: 'application/json', body: stale });
    });
    await page.goto(`${berth.url}/approvals`);
    const shown = card(page, approval);
    await shown.getByRole('button', { name: 'Approve' }).waitFor();
    stale = JSON.stringify(
      (await getJson(`${berth.url}/api/approvals?status=pending`, bearer(operator))).body,
    );
    const other = await postJson(
      `${berth.url}/api/approvals/${approval.approval_id}/reject`,
      { reason: 'decided in another tab' },
      bearer(operator),
    );
    expect(other.status).toBe(200);
    stale = null;
    await shown.getByRole('button', { name: 'Approve' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('This approval was decided already').waitFor();
    expect(await alert.innerText()).toContain('(approval_decided)');
    // The reload after the refusal drops it from the pending list; the words stay.
    await shown.waitFor({ state: 'detached' });
    expect(await alert.innerText()).toContain('http_post of task');
    await screenshot(page, 'approval-refused');
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    expect(await alert.count()).toBe(0);
    expect(deliveriesTo('/decided-elsewhere')).toHaveLength(0);
    await context.close();
  });

  it('shows a member that operators decide, with no Approve button', async () => {
    const { taskId, approval } = await pausedTask('/member-view', { n: 2 });
    const { page, context, errors } = await signedIn(member);
    await page.goto(`${berth.url}/tasks/${taskId}`);
    const step = page.locator('.step[data-step="post"]');
    await step.locator('[data-status="awaiting_approval"]').waitFor();
    await step.getByRole('link', { name: 'Open its approval' }).click();
    await page.getByText('Operators decide approvals.').waitFor();
    expect(await page.getByRole('note').innerText()).toMatch(/role member/);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.locator('.nav-count').count()).toBe(0);
    await screenshot(page, 'approvals-member');
    expect(errors).toEqual([]);
    await context.close();

    const still = await getJson<ApprovalView>(
      `${berth.url}/api/approvals/${approval.approval_id}`,
      bearer(operator),
    );
    expect(still.body.status).toBe('pending');
  });
});
