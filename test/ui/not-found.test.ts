import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, screenshot } from '../support/browser.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`not-found pages in the browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let browser: Browser;
  beforeAll(async () => {
    [berth, browser] = await Promise.all([startBerth(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
  });

  it('says a task does not exist, without retry advice', async () => {
    const { page, context } = await openPage(browser);
    await page.goto(`${berth.url}/tasks/${randomUUID()}`);
    const notice = page.getByRole('alert');
    await notice.getByText('This task does not exist').waitFor();
    const text = await notice.innerText();
    expect(text).toContain('Your tasks are listed under Tasks');
    expect(text).not.toMatch(/retry|server log/i);
    expect(await notice.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    await screenshot(page, 'task-not-found');
    await context.close();
  });

  it('says a conversation does not exist and offers a new one', async () => {
    const { page, context } = await openPage(browser);
    await page.goto(`${berth.url}/chat/${randomUUID()}`);
    const notice = page.getByRole('alert');
    await notice.getByText('This conversation does not exist').waitFor();
    expect(await notice.innerText()).not.toMatch(/retry|server log/i);
    expect(await notice.getByRole('link', { name: 'New conversation' }).count()).toBe(1);
    await screenshot(page, 'conversation-not-found');
    await context.close();
  });
});
