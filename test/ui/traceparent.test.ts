import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage } from '../support/browser.js';

const skip = chromiumSkipReason();
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-01$/;

describe.skipIf(skip)(`the UI's API calls${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let browser: Browser;
  beforeAll(async () => {
    [berth, browser] = await Promise.all([startBerth(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
  });

  it('each carry a W3C traceparent of their own, streams included', async () => {
    const { page, context, errors } = await openPage(browser);
    const sent: Array<{ path: string; traceparent: string | undefined }> = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/api/'))
        sent.push({ path: pathname, traceparent: request.headers().traceparent });
    });
    await page.goto(`${berth.url}/tasks`);
    await page.getByLabel('What should be done?').fill('What is a harbour?');
    await page.getByRole('button', { name: 'Start task' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    await expect.poll(() => sent.some((r) => r.path.endsWith('/events'))).toBe(true);
    expect(sent.map((r) => r.path)).toContain('/api/tasks');
    for (const { path, traceparent } of sent) expect(traceparent, path).toMatch(TRACEPARENT);
    const traceIds = sent.map((r) => r.traceparent?.split('-')[1]);
    expect(new Set(traceIds).size).toBe(traceIds.length);
    expect(errors).toEqual([]);
    await context.close();
  });
});
