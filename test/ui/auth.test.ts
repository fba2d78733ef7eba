import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, screenshot } from '../support/browser.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`API key prompt in the browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let browser: Browser;
  beforeAll(async () => {
    [berth, browser] = await Promise.all([
      startBerth({ env: { BERTH_API_KEYS: 'ui-test-key-123' } }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
  });

  it('serves the page without a key, asks for one, refuses a wrong one and keeps a right one', async () => {
    const { page, context } = await openPage(browser);
    const response = await page.goto(berth.url);
    expect(response?.status()).toBe(200);
    const dialog = page.locator('.modal');
    await dialog.getByRole('heading', { name: 'API key needed' }).waitFor();
    await screenshot(page, 'auth-prompt');

    await page.getByLabel('API key', { exact: true }).fill('wrong-key');
    await page.getByRole('button', { name: 'Continue' }).click();
    await dialog.getByText('That key was not accepted').waitFor();
    await screenshot(page, 'auth-wrong-key');

    await page.getByLabel('API key', { exact: true }).fill('ui-test-key-123');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    // The key works for the streamed chat as well as for plain requests.
    await page.getByLabel('Message', { exact: true }).fill('Hello with a key');
    await page.keyboard.press('Enter');
    await page.locator('.message-assistant .message-meta').getByText('berth-offline').waitFor();

    // Kept for the session: another page load does not ask again.
    await page.goto(`${berth.url}/status`);
    await page.getByText('Ready', { exact: true }).waitFor();
    expect(await dialog.count()).toBe(0);
    await context.close();
  });

  it('asks again when the kept key stops working', async () => {
    const { page, context } = await openPage(browser);
    await page.goto(berth.url);
    await page.evaluate("sessionStorage.setItem('berth.apiKey', 'revoked-key')");
    await page.goto(`${berth.url}/tasks`);
    await page.locator('.modal').getByText('The saved key was not accepted').waitFor();
    await context.close();
  });
});
