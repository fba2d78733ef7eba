import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, PHONE, screenshot } from '../support/browser.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`chat in the browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let site: FixtureSite;
  let browser: Browser;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.route('/tides', {
      body: articlePage('Tides', [
        'Tidal turbines turn the rise and fall of the sea into electricity.',
        'The first arrays were installed in narrow straits with fast currents.',
        'Output is predictable years ahead because tides follow the moon.',
      ]),
    });
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

  it('sends a message and shows the streamed answer with its model and token usage', async () => {
    const { page, context, errors } = await openPage(browser);
    const chatRequests: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/chat')) chatRequests.push(request.headers().accept);
    });
    await page.goto(berth.url);
    await page.getByText('What can I help with?').waitFor();
    await page
      .getByLabel('Message', { exact: true })
      .fill(
        'Summarise: Berth runs agents on your own machine. It keeps every conversation. It needs nothing installed. It streams answers as they are written.',
      );
    await page.keyboard.press('Enter');

    const answer = page.locator('.message-assistant').last();
    await answer.getByText(/^Summary \(the 3 most representative sentences/).waitFor();
    await answer.locator('.message-meta').getByText('berth-offline').waitFor();
    expect(await answer.locator('.message-meta').innerText()).toMatch(/\d+ in · \d+ out/);
    expect(chatRequests).toEqual(['text/event-stream']);
    // The new conversation has its own address and is listed, titled by the question.
    expect(page.url()).toMatch(/\/chat\/[0-9a-f-]{36}$/);
    await page
      .locator('.conversation-link[aria-current="page"]')
      .getByText(/^Summarise: Berth runs agents/)
      .waitFor();
    await screenshot(page, 'chat-desktop');

    // A follow-up in the same conversation, then a reload: the history comes back from the server.
    await page.getByLabel('Message', { exact: true }).fill('Thanks!');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page
      .locator('.message-assistant')
      .nth(1)
      .getByText(/You wrote: "Thanks!"/)
      .waitFor();
    await page.reload();
    await page.locator('.message-user').nth(1).getByText('Thanks!').waitFor();
    expect(await page.locator('.message').count()).toBe(4);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows markup written by the model as text, never as HTML', async () => {
    const { page, context } = await openPage(browser);
    await page.goto(`${berth.url}/chat`);
    // The offline model quotes the message back, so this text ends up in the answer.
    await page.getByLabel('Message', { exact: true }).fill('<img src=x onerror="window.__pwned=1"> **bold**');
    await page.keyboard.press('Enter');
    const answer = page.locator('.message-assistant').last();
    await answer.getByText(/You wrote:/).waitFor();
    await answer.locator('.message-meta').getByText('berth-offline').waitFor();
    expect(await answer.innerText()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await answer.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await context.close();
  });

  it('offers to summarise a link as a task and links to the task', async () => {
    const { page, context } = await openPage(browser, PHONE);
    await page.goto(`${berth.url}/chat`);
    await page.getByLabel('Message', { exact: true }).fill(`Summarise this: ${site.url}/tides`);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Summarise as a task' }).click();
    await screenshot(page, 'chat-phone');
    await page.getByRole('link', { name: /Follow its progress/ }).click();
    expect(page.url()).toMatch(/\/tasks\/[0-9a-f-]{36}$/);
    await page.locator('.task-actions [data-status="completed"]').waitFor();
    await page
      .locator('.result')
      .getByText(/Tidal turbines turn the rise and fall/)
      .waitFor();
    // The task page links back to the chat it came from.
    await page.getByRole('link', { name: 'started from a chat' }).click();
    await page.locator('.message-user').getByText(`Summarise this: ${site.url}/tides`).waitFor();
    await context.close();
  });

  it('opens the conversation list as a drawer on a phone', async () => {
    const { page, context } = await openPage(browser, PHONE);
    await page.goto(`${berth.url}/chat`);
    const list = page.getByRole('navigation', { name: 'Conversations' });
    expect(await list.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Conversations' }).click();
    await list.getByText('+ New chat').waitFor({ state: 'visible' });
    await screenshot(page, 'chat-phone-drawer');
    await context.close();
  });
});
