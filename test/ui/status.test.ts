import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, PHONE, screenshot } from '../support/browser.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`status page in the browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let browser: Browser;
  beforeAll(async () => {
    [berth, browser] = await Promise.all([startBerth(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
  });

  it('shows readiness, the queue, the agents with their versions and the offline-model banner', async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto(`${berth.url}/status`);
    const banner = page.getByRole('status').filter({ hasText: 'built-in offline model' });
    await banner.waitFor();
    expect(await banner.innerText()).toContain('BERTH_LLM_PROVIDER');
    await page.getByText('Ready', { exact: true }).waitFor();
    expect(await page.locator('.checks li').allInnerTexts()).toEqual([
      'store\nok',
      'migrations\nok',
      'progress\nok',
    ]);
    expect(await page.locator('.stat-label').allInnerTexts()).toEqual([
      'waiting',
      'running',
      'delayed',
      'failed',
    ]);
    const agents = (await (await fetch(`${berth.url}/api/agents`)).json()) as {
      agents: Array<{ name: string; version: string }>;
    };
    const row = page.locator('tbody tr').first();
    expect(await row.innerText()).toContain('default');
    expect(await row.innerText()).toContain(agents.agents[0]?.version ?? 'missing');
    expect(await row.innerText()).toContain('berth-offline');
    await screenshot(page, 'status-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const { page, context } = await openPage(browser, PHONE);
    await page.goto(`${berth.url}/status`);
    await page.getByText('Ready', { exact: true }).waitFor();
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBe(0);
    await screenshot(page, 'status-phone');
    await context.close();
  });
});
