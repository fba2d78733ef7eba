import { createServer } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/modules/identity/index.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { chromiumSkipReason, launchChromium, openPage, screenshot } from '../support/browser.js';
import { AUDIENCE, BERTH_CLIENT, berthOidcEnv, startTestIdp, type TestIdp } from '../support/test-idp.js';

const skip = chromiumSkipReason();

/** A port nobody listens on now: Berth's redirect URI must be registered before Berth starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Through the provider's development login and consent pages (any password is accepted). */
async function signInAtProvider(page: Page, idp: TestIdp, login: string) {
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function cookieHeader(context: BrowserContext, url: string) {
  const cookies = await context.cookies(url);
  return {
    cookies,
    header: cookies.map((c) => `${c.name}=${c.value}`).join('; '),
    csrf: cookies.find((c) => c.name === 'berth_csrf')?.value ?? '',
  };
}

describe.skipIf(skip)(`Single sign-on in the browser${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let idp: TestIdp;
  let berth: BerthInstance;
  let browser: Browser;
  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // 127.0.0.2 is another site than 127.0.0.1 for cookies, as a real provider would be.
    [idp, browser] = await Promise.all([
      startTestIdp({
        client: { ...BERTH_CLIENT, redirectUri: `${publicUrl}/auth/callback` },
        audiences: [AUDIENCE],
        accounts: {
          alice: { email: 'alice@acme.test', name: 'Alice', tenant: 'acme', role: 'member' },
          bob: { email: 'bob@acme.test', tenant: 'acme' },
        },
        robots: {},
      }),
      launchChromium(),
    ]);
    berth = await startBerth({
      port,
      env: {
        ...berthOidcEnv(idp, publicUrl),
        BERTH_OIDC_SCOPES: 'openid profile email berth',
        BERTH_OIDC_PROVIDER_NAME: 'Test IdP',
      },
    });
    await berth.app.identity.createTenant(systemActor(), { id: 'acme' });
  });
  afterAll(async () => {
    await browser?.close();
    await berth?.close();
    await idp?.close();
  });

  it('signs in through the provider, chats as the user, refuses a POST without the CSRF token, signs out', async () => {
    const { page, context, errors } = await openPage(browser);
    await page.goto(`${berth.url}/chat`);
    const dialog = page.locator('.modal');
    await dialog.getByRole('heading', { name: 'Sign in to Berth' }).waitFor();
    await screenshot(page, 'oidc-prompt');
    await dialog.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await signInAtProvider(page, idp, 'alice');

    await page.waitForURL(`${berth.url}/chat`);
    errors.length = 0; // the provider's pages are not ours (they load web fonts the machine cannot reach)
    await page.getByText('Signed in as alice@acme.test').waitFor();
    expect(await dialog.count()).toBe(0);
    await screenshot(page, 'oidc-signed-in');
    const { cookies, header, csrf } = await cookieHeader(context, berth.url);
    expect(cookies.find((c) => c.name === 'berth_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(cookies.find((c) => c.name === 'berth_csrf')).toMatchObject({
      httpOnly: false,
      sameSite: 'Strict',
    });
    expect(cookies.find((c) => c.name === 'berth_sign_in')).toBeUndefined();

    await page.getByLabel('Message', { exact: true }).fill('Hello from Alice');
    await page.keyboard.press('Enter');
    await page.locator('.message-assistant .message-meta').getByText('berth-offline').waitFor();
    const conversations = await fetch(`${berth.url}/api/conversations`, { headers: { cookie: header } });
    expect(conversations.status).toBe(200);
    const listed = (await conversations.json()) as { conversations: Array<{ title: string }> };
    expect(listed.conversations.map((c) => c.title).join(' ')).toContain('Hello from Alice');
    const me = await (await fetch(`${berth.url}/api/me`, { headers: { cookie: header } })).json();
    expect(me).toMatchObject({
      tenant_id: 'acme',
      user_id: 'alice@acme.test',
      role: 'member',
      via: 'session',
    });

    const post = (headers: Record<string, string>) =>
      fetch(`${berth.url}/api/chat`, {
        method: 'POST',
        headers: { cookie: header, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ message: 'Sent by another site' }),
      });
    const forged = await post({});
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/CSRF token/);
    expect((await post({ 'x-csrf-token': 'not-the-token' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf })).status).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await dialog.getByRole('heading', { name: 'Sign in to Berth' }).waitFor();
    const after = await context.cookies(berth.url);
    expect(after.map((c) => c.name)).not.toContain('berth_session');
    expect(after.map((c) => c.name)).not.toContain('berth_csrf');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('tells a user who is not a member of the tenant why the sign-in did not let them in', async () => {
    const { page, context } = await openPage(browser);
    await page.goto(`${berth.url}/tasks`);
    await page.locator('.modal').getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await signInAtProvider(page, idp, 'bob');
    await page.locator('.modal').getByText('User "bob@acme.test" is not a member of tenant "acme"').waitFor();
    expect(page.url()).toBe(`${berth.url}/chat`);
    expect((await context.cookies(berth.url)).map((c) => c.name)).not.toContain('berth_session');
    await screenshot(page, 'oidc-not-a-member');
    // Said once: the message does not come back with the next page.
    await page.reload();
    await page.locator('.modal').getByRole('heading', { name: 'Sign in to Berth' }).waitFor();
    expect(await page.getByText('is not a member').count()).toBe(0);
    await context.close();
  });
});
