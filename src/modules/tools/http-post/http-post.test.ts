import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LookupAll } from '../fetch-url/url-guard.js';
import { invokeTool } from '../invoke-tool.js';
import { startWebhookReceiver, type WebhookReceiver } from '../testdata/webhook-receiver.js';
import { createHttpPostTool, type HttpPostOptions } from './http-post.js';

let hook: WebhookReceiver;
beforeAll(async () => {
  hook = await startWebhookReceiver();
});
afterAll(() => hook.close());
beforeEach(() => {
  hook.deliveries.length = 0;
});

const ctx = (idempotencyKey = 'task-1:notify:abc') => ({
  signal: new AbortController().signal,
  idempotencyKey,
});

// hooks.test stands for an operator's webhook host; what it resolves to is up to each test.
const resolvesTo =
  (address: string): LookupAll =>
  async () => [{ address, family: address.includes(':') ? 6 : 4 }];

function poster(options: HttpPostOptions = {}) {
  const tool = createHttpPostTool({ allow: [`127.0.0.1:${hook.port}`], ...options });
  return (url: string, body: Record<string, unknown> = { event: 'done' }, key?: string) =>
    invokeTool(tool, { url, body }, ctx(key));
}

describe('http_post', () => {
  it('posts the JSON body with an Idempotency-Key and returns the status and body', async () => {
    const result = await poster()(`${hook.origin}/hook`, { task: 't1', ok: true });
    expect(result).toEqual({
      ok: true,
      value: {
        url: `${hook.origin}/hook`,
        status: 200,
        contentType: 'application/json',
        body: '{"received":true}',
        truncated: false,
      },
    });
    expect(hook.deliveries).toHaveLength(1);
    const [delivery] = hook.deliveries;
    expect(delivery?.method).toBe('POST');
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(delivery?.headers['idempotency-key']).toBe('task-1:notify:abc');
    expect(delivery?.headers['user-agent']).toBe('Berth (+http_post)');
    expect(JSON.parse(delivery?.body ?? '')).toEqual({ task: 't1', ok: true });
  });

  it('sends the same Idempotency-Key on a retry of the same step', async () => {
    const post = poster();
    await post(`${hook.origin}/hook`, { n: 1 }, 'task-9:step:hash');
    await post(`${hook.origin}/hook`, { n: 1 }, 'task-9:step:hash');
    expect(hook.deliveries.map((d) => d.headers['idempotency-key'])).toEqual([
      'task-9:step:hash',
      'task-9:step:hash',
    ]);
  });

  it('refuses a host:port that is not on the allow list, before any connection', async () => {
    const result = await poster({ allow: [] })(`${hook.origin}/hook`);
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'webhook_not_allowed',
        retryable: false,
        message: `127.0.0.1:${hook.port} is not on the webhook allow list (BERTH_WEBHOOK_ALLOW)`,
      },
    });
    const otherPort = await poster()(`http://127.0.0.1:${hook.port + 1}/hook`);
    expect(otherPort).toMatchObject({ ok: false, error: { code: 'webhook_not_allowed' } });
    expect(hook.deliveries).toEqual([]);
  });

  it('refuses an allowed name that resolves to a private address (ssrf_blocked, not an allow-list miss)', async () => {
    for (const address of ['127.0.0.1', '10.0.0.5', '169.254.169.254', '::1', '::ffff:127.0.0.1']) {
      const post = poster({ allow: [`hooks.test:${hook.port}`], lookup: resolvesTo(address) });
      const result = await post(`http://hooks.test:${hook.port}/hook`);
      expect(result, address).toMatchObject({ ok: false, error: { code: 'ssrf_blocked', retryable: false } });
      if (!result.ok) {
        expect(result.error.message).toContain(`hooks.test resolves to ${address}`);
        expect(result.error.message).toContain('BERTH_WEBHOOK_ALLOW');
        expect(result.error.message).not.toContain('BERTH_FETCH_ALLOW');
      }
    }
    expect(hook.deliveries).toEqual([]);
  });

  it.each([
    ['decimal', (port: number) => `http://2130706433:${port}/hook`],
    ['octal', (port: number) => `http://0177.0.0.1:${port}/hook`],
    ['hex', (port: number) => `http://0x7f.1:${port}/hook`],
    ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:7f00:1]:${port}/hook`],
    ['trailing dot on an allowed name', (port: number) => `http://hooks.test.:${port}/hook`],
    [
      'userinfo naming the allowed host',
      (port: number) => `http://hooks.test:${port}@127.0.0.1:${port}/hook`,
    ],
    ['fragment hiding the real host', (port: number) => `http://127.0.0.1:${port}#@hooks.test:${port}/hook`],
    ['percent-encoded host', (port: number) => `http://%31%32%37.0.0.1:${port}/hook`],
  ])('refuses a loopback address spelled as %s when only a name is allowed', async (_name, url) => {
    const post = poster({ allow: [`hooks.test:${hook.port}`], lookup: resolvesTo('127.0.0.1') });
    const result = await post(url(hook.port));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['webhook_not_allowed', 'ssrf_blocked']).toContain(result.error.code);
    expect(hook.deliveries).toEqual([]);
  });

  it('refuses user names and passwords in the URL even for an allowed host', async () => {
    const result = await poster()(`http://user:secret@127.0.0.1:${hook.port}/hook`);
    expect(result).toMatchObject({ ok: false, error: { code: 'webhook_not_allowed' } });
    if (!result.ok) expect(JSON.stringify(result.error)).not.toContain('secret');
    expect(hook.deliveries).toEqual([]);
  });

  it('refuses other schemes as invalid input', async () => {
    const result = await poster()(`ftp://127.0.0.1:${hook.port}/hook`);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_tool_input' } });
  });

  it('fails retryably on 5xx and 429, permanently on other 4xx, with the status and body', async () => {
    const post = poster();
    const cases = [
      [500, true],
      [503, true],
      [429, true],
      [400, false],
      [404, false],
      [409, false],
    ] as const;
    for (const [status, retryable] of cases) {
      const result = await post(`${hook.origin}/status/${status}`);
      expect(result, String(status)).toMatchObject({
        ok: false,
        error: { code: 'webhook_http_error', retryable, details: { status, body: `answered ${status}` } },
      });
    }
  });

  it('does not follow a redirect', async () => {
    const result = await poster()(`${hook.origin}/redirect`);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'webhook_http_error', retryable: false, details: { status: 307 } },
    });
    expect(hook.deliveries.map((d) => d.path)).toEqual(['/redirect']);
  });

  it('times out a receiver that never answers, retryably', async () => {
    const result = await poster({ timeoutMs: 300 })(`${hook.origin}/silent`);
    expect(result).toMatchObject({ ok: false, error: { code: 'tool_timeout', retryable: true } });
  });

  it('cuts a long response body at the cap', async () => {
    const result = await poster({ maxResponseBytes: 1000 })(`${hook.origin}/large`);
    expect(result).toMatchObject({ ok: true, value: { status: 200, truncated: true } });
    if (result.ok) expect((result.value as { body: string }).body).toHaveLength(1000);
  });

  it('refuses a body over the request cap without sending it', async () => {
    const result = await poster({ maxRequestBytes: 100 })(`${hook.origin}/hook`, { text: 'y'.repeat(200) });
    expect(result).toMatchObject({ ok: false, error: { code: 'input_too_large', details: { limit: 100 } } });
    expect(hook.deliveries).toEqual([]);
  });

  it('reports a receiver that is not listening as a retryable delivery failure', async () => {
    const closed = await startWebhookReceiver();
    await closed.close();
    const result = await poster({ allow: [`127.0.0.1:${closed.port}`] })(`${closed.origin}/hook`);
    expect(result).toMatchObject({ ok: false, error: { code: 'webhook_failed', retryable: true } });
  });

  it('declares side effects', () => {
    expect(createHttpPostTool().sideEffects).toBe(true);
  });
});
