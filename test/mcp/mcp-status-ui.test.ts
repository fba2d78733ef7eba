// The status page in the browser shows each MCP server, its state and the tools agents can name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, screenshot } from '../support/browser.js';
import { stdioFixture } from './mcp-fixture.js';

const skip = chromiumSkipReason();

describe.skipIf(skip)(`MCP panel of the status page${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let berth: BerthInstance;
  let browser: Browser;
  beforeAll(async () => {
    const configPath = join(tempDir('berth-mcp-ui-'), 'berth.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        mcp: {
          servers: [
            { name: 'fixture', ...stdioFixture, tools: { echo: { sideEffects: false }, absent: {} } },
            { name: 'broken', command: '/nonexistent/mcp-server', tools: { x: {} } },
          ],
        },
      }),
    );
    [berth, browser] = await Promise.all([
      startBerth({ env: { BERTH_CONFIG: configPath } }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
  });

  it('lists the servers with their state, their tools and why one is down', async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto(`${berth.url}/status`);
    const panel = page.getByRole('region', { name: 'MCP servers' });
    await panel.waitFor();
    const fixture = panel.locator('tbody tr').filter({ hasText: 'fixture' });
    // The page refreshes every 5 s; the server is ready within the first.
    await fixture.getByText('ready', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await fixture.innerText()).toContain('fixture__echo');
    expect(await fixture.innerText()).toContain('not listed by the server: absent');
    const broken = panel.locator('tbody tr').filter({ hasText: 'broken' });
    expect(await broken.innerText()).toMatch(/ENOENT|spawn/);
    // Optional servers never fail readiness: the page still says Ready.
    await page.getByText('Ready', { exact: true }).waitFor();
    await screenshot(page, 'status-mcp');
    expect(errors).toEqual([]);
    await context.close();
  });
});
