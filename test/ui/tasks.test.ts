import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, PHONE, screenshot } from '../support/browser.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`tasks in the browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let site: FixtureSite;
  let browser: Browser;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.route('/a', {
      body: articlePage('Harbours', [
        'Harbours shelter ships from storms and waves.',
        'Most large harbours dredge their channels every year.',
        'Cranes on the quay unload containers in minutes.',
      ]),
      // Long enough for the page to show the fetch running even on a loaded machine (300 ms was not).
      delayMs: 3_000,
    });
    site.route('/b', {
      body: articlePage('Lighthouses', [
        'Lighthouses guided ships before satellite navigation existed.',
        'Their lenses focus a small lamp into a beam seen far away.',
      ]),
    });
    site.route('/slow', { body: articlePage('Slow', ['This page takes a long time.']), delayMs: 20_000 });
    [berth, browser] = await Promise.all([
      startBerth({ env: { BERTH_FETCH_ALLOW: site.host } }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
    await site?.close();
  });

  it('submits a task over two pages and follows its steps live to completed', async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto(`${berth.url}/tasks`);
    await page.getByLabel('Title').fill('Harbours and lighthouses');
    await page.getByLabel('What should be done?').fill(`Summarise ${site.url}/a and ${site.url}/b`);
    await page.getByRole('button', { name: 'Start task' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Harbours and lighthouses' }).waitFor();
    // Live: the page shows the slow fetch running before the task ends, without a reload.
    await page.locator('.step-running').first().waitFor();
    await page.locator('.task-actions [data-status="completed"]').waitFor({ timeout: 20_000 });
    await page
      .locator('.result')
      .getByText(/Harbours shelter ships/)
      .waitFor();

    const steps = page.locator('.step');
    expect(await steps.count()).toBe(5);
    const tools = await page.locator('.step-facts dd.mono').allInnerTexts();
    expect(tools.filter((t) => t === 'fetch_url')).toHaveLength(2);
    expect(tools.filter((t) => t === 'extract_text')).toHaveLength(2);
    expect(tools).toContain('summarize');
    expect(await page.locator('.step [data-status="completed"]').count()).toBe(5);
    // Each step shows its timing and attempts; the graph has three columns (fetch → extract → summarise).
    expect(await page.locator('.step-column').count()).toBe(3);
    expect(await steps.first().locator('.step-facts').innerText()).toMatch(/Attempts\s+1/);
    expect(await steps.first().locator('.step-facts').innerText()).toMatch(/\d+(\.\d)? (ms|s)/);
    expect(await page.locator('.live').count()).toBe(0);
    // The summary's tokens and their cost (the offline model is free).
    expect(await page.locator('.task-cost').innerText()).toMatch(/^ · \d+ tokens · \$0$/);
    await screenshot(page, 'task-desktop');

    await page.getByRole('link', { name: '← Tasks' }).click();
    await page.getByRole('button', { name: 'Completed' }).click();
    await page.locator('.row-link').getByText('Harbours and lighthouses').waitFor();
    await screenshot(page, 'tasks-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cancels a running task', async () => {
    const { page, context } = await openPage(browser, PHONE);
    await page.goto(`${berth.url}/tasks`);
    await page.getByLabel('What should be done?').fill(`Summarise ${site.url}/slow`);
    await page.getByRole('button', { name: 'Start task' }).click();
    await page.locator('.step-running').first().waitFor();
    await page.locator('.live').waitFor();
    await screenshot(page, 'task-phone-running');
    await page.getByRole('button', { name: 'Cancel task' }).click();
    await page.locator('.task-actions [data-status="cancelled"]').waitFor();
    await page.locator('.step [data-status="cancelled"]').first().waitFor();
    expect(await page.getByRole('button', { name: 'Cancel task' }).count()).toBe(0);
    await screenshot(page, 'task-phone-cancelled');

    await page.goto(`${berth.url}/tasks`);
    await page.getByRole('button', { name: 'Cancelled' }).click();
    expect(await page.locator('.row-link [data-status="cancelled"]').count()).toBe(1);
    await screenshot(page, 'tasks-phone');
    await context.close();
  });
});
