import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './paths.js';
import { SERVICES_REQUIRED } from './services.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results/ui');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** undefined when Chromium can be used; else the one-line reason to skip (thrown under BERTH_REQUIRE_SERVICES=1). */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} is missing (apt-get install -y chromium)`;
  if (SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

/**
 * Debian's Chromium, headless. Playwright gives every launch a new temporary profile (--user-data-dir)
 * and deletes it on close; the flags keep it off the network except for the pages a test opens.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface UiPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of the page, for asserting a clean run. */
  errors: string[];
}

/** A fresh context (no cookies or storage from other tests) with one page. */
export async function openPage(browser: Browser, viewport = DESKTOP): Promise<UiPage> {
  // Reduced motion: screenshots show end states, not the middle of a transition.
  const context = await browser.newContext({ viewport, colorScheme: 'light', reducedMotion: 'reduce' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // A 401 shows up as a failed resource load; the key prompt is the expected answer to it.
    if (message.type() === 'error' && !/401/.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}

/** Saves a full-page screenshot as a test artifact (test-results/ is not committed). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
