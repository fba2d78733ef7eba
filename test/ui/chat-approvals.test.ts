// A side-effecting tool call in chat, seen in the browser: the answer says the call waits for an
// operator and links to its approval; nothing reaches the webhook.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage } from '../support/browser.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`a proposed action in chat${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let browser: Browser;
  let fake: FakeOpenAI;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    [fake, hook] = await Promise.all([startFakeOpenAI(), startWebhookReceiver()]);
    const configPath = join(tempDir('berth-ui-chat-approvals-'), 'berth.yaml');
    writeFileSync(
      configPath,
      [
        'llm:',
        '  maxRetries: 0',
        '  openaiCompatible:',
        `    baseUrl: ${fake.url}`,
        'agents:',
        '  - name: default',
        '    provider: openai-compatible',
        '    model: fake-model',
        '    tools: [http_post]',
      ].join('\n'),
    );
    [berth, browser] = await Promise.all([
      startBerth({
        env: { BERTH_CONFIG: configPath, BERTH_WEBHOOK_ALLOW: `127.0.0.1:${hook.port}`, LOG_LEVEL: 'warn' },
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
    await Promise.all([fake?.close(), hook?.close()]);
  });

  it('shows that the call waits for approval, links to it, and sends nothing', async () => {
    fake.enqueue(
      fakeReply.toolCall('http_post', { url: `${hook.origin}/orders`, body: { order: 7 } }),
      fakeReply.ok('I have asked an operator to approve the order.'),
    );
    const { page, context, errors } = await openPage(browser);
    await page.goto(berth.url);
    await page.getByLabel('Message', { exact: true }).fill('Send order 7 to the shop');
    await page.keyboard.press('Enter');

    const answer = page.locator('.message-assistant').last();
    await answer.getByText('I have asked an operator to approve the order.').waitFor();
    const waiting = answer.getByLabel('Waiting for approval');
    await waiting.getByText('http_post').waitFor();
    const href = await waiting.getByRole('link', { name: 'Open its approval' }).getAttribute('href');
    expect(href).toMatch(/^\/approvals\?task=[0-9a-f-]{36}$/);
    expect(hook.deliveries).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
