import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../testdata/fixture-server.js';
import { ToolRegistry } from '../tool-registry.js';
import { createFetchUrlTool, type FetchUrlOptions } from './fetch-url.js';
import type { LookupAll } from './url-guard.js';

let site: FixtureServer;
let other: FixtureServer;

beforeAll(async () => {
  [site, other] = await Promise.all([startFixtureServer(), startFixtureServer()]);
});
afterAll(async () => {
  await Promise.all([site.close(), other.close()]);
});

const ctx = () => ({ signal: new AbortController().signal, idempotencyKey: 'task-1:step-1' });

function fetcher(options: FetchUrlOptions = {}) {
  const registry = new ToolRegistry([createFetchUrlTool({ allow: [`127.0.0.1:${site.port}`], ...options })]);
  return (url: string) => registry.invoke('fetch_url', { url }, ctx());
}

const noDns: LookupAll = async (hostname) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
};

describe('fetch_url', () => {
  it('fetches an allowed page with its status, type and body', async () => {
    const result = await fetcher()(`${site.origin}/plain`);
    expect(result).toEqual({
      ok: true,
      value: {
        url: `${site.origin}/plain`,
        status: 200,
        contentType: 'text/plain',
        body: 'plain text body',
        bytes: 15,
        truncated: false,
      },
    });
  });

  it('refuses the same loopback URL without an allow entry, before connecting, saying how to allow it', async () => {
    const before = site.hits.length;
    const result = await fetcher({ allow: [] })(`${site.origin}/plain`);
    expect(result).toMatchObject({ ok: false, error: { code: 'ssrf_blocked', retryable: false } });
    if (!result.ok) {
      expect(result.error.message).toBe(
        `127.0.0.1 is a loopback address; to allow it, add 127.0.0.1:${site.port} to BERTH_FETCH_ALLOW`,
      );
    }
    expect(site.hits.length).toBe(before);
  });

  it.each([
    ['decimal', (port: number) => `http://2130706433:${port}/plain`],
    ['octal', (port: number) => `http://0177.0.0.1:${port}/plain`],
    ['hex', (port: number) => `http://0x7f.1:${port}/plain`],
    ['short', (port: number) => `http://127.1:${port}/plain`],
    ['bracketed IPv6', (port: number) => `http://[::1]:${port}/plain`],
    ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/plain`],
    ['IPv4-compatible IPv6', (port: number) => `http://[::127.0.0.1]:${port}/plain`],
    ['localhost', (port: number) => `http://localhost:${port}/plain`],
    ['localhost with a trailing dot', (port: number) => `http://localhost.:${port}/plain`],
    ['a .localhost name', (port: number) => `http://api.localhost:${port}/plain`],
  ])('refuses loopback written in %s notation', async (_notation, url) => {
    const result = await fetcher({ allow: [], lookup: noDns })(url(site.port));
    expect(result).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
  });

  it('treats the allow list as exact host and port', async () => {
    const sameHost = await fetcher({ lookup: noDns })(`http://127.1:${site.port}/plain`);
    expect(sameHost.ok).toBe(true);
    const otherPort = await fetcher()(`${other.origin}/plain`);
    expect(otherPort).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
    const byName = await fetcher({ lookup: noDns })(`http://localhost:${site.port}/plain`);
    expect(byName).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
  });

  it('reaches an allow-listed internal name whatever it resolves to', async () => {
    const lookup: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];
    const fetch = fetcher({ allow: [`fixtures.internal:${site.port}`], lookup });
    const result = await fetch(`http://fixtures.internal:${site.port}/plain`);
    expect(result).toMatchObject({ ok: true, value: { body: 'plain text body' } });
  });

  it('refuses a name when any of its records is private', async () => {
    const lookup: LookupAll = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    const result = await fetcher({ lookup })('https://mixed.example/page');
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'ssrf_blocked',
        message:
          'mixed.example resolves to 10.0.0.5, a private address; to allow it, add mixed.example:443 to BERTH_FETCH_ALLOW',
      },
    });
  });

  it('refuses a name that resolves to an IPv4-mapped metadata address', async () => {
    const lookup: LookupAll = async () => [{ address: '::ffff:a9fe:a9fe', family: 6 }];
    const result = await fetcher({ lookup })('http://sneaky.example/');
    expect(result).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
    if (!result.ok) expect(result.error.message).toContain('169.254.169.254, the cloud metadata address');
  });

  it('follows a redirect on the allowed host and reports the final URL', async () => {
    const result = await fetcher()(`${site.origin}/redirect?to=/plain`);
    expect(result).toMatchObject({
      ok: true,
      value: { url: `${site.origin}/plain`, body: 'plain text body' },
    });
  });

  it('refuses a redirect to another loopback port without touching it', async () => {
    const before = other.hits.length;
    const result = await fetcher()(`${site.origin}/redirect?to=${other.origin}/plain`);
    expect(result).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
    expect(other.hits.length).toBe(before);
  });

  it.each([
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/', 'the cloud metadata address'],
    ['a private address', 'http://10.1.2.3/', 'a private address'],
    ['a file: URL', 'file:///etc/passwd', 'file: URLs are not fetched'],
  ])('refuses a redirect to %s', async (_name, to, reason) => {
    const result = await fetcher({ lookup: noDns })(`${site.origin}/redirect?to=${encodeURIComponent(to)}`);
    expect(result).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
    if (!result.ok) expect(result.error.message).toContain(reason);
  });

  it('follows five redirects and refuses the sixth', async () => {
    expect(await fetcher()(`${site.origin}/chain?n=5`)).toMatchObject({
      ok: true,
      value: { body: 'end of chain' },
    });
    expect(await fetcher()(`${site.origin}/chain?n=6`)).toMatchObject({
      ok: false,
      error: { code: 'too_many_redirects', retryable: false },
    });
  });

  it.each(['gzip', 'deflate', 'br'])('stops an endless %s bomb at the byte cap', async (encoding) => {
    const started = Date.now();
    const result = await fetcher({ maxBytes: 256 * 1024 })(`${site.origin}/bomb?encoding=${encoding}`);
    expect(result).toMatchObject({ ok: true, value: { bytes: 256 * 1024, truncated: true } });
    if (result.ok) expect(result.value).toMatchObject({ body: '\0'.repeat(256 * 1024) });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('stops a compressed stream that never yields output at the wire cap', async () => {
    const result = await fetcher({ maxBytes: 64 * 1024 })(`${site.origin}/gzip-nothing`);
    expect(result).toMatchObject({ ok: true, value: { body: '', bytes: 0, truncated: true } });
  });

  it('truncates a huge plain body at the cap', async () => {
    const result = await fetcher({ maxBytes: 100_000 })(`${site.origin}/huge`);
    expect(result).toMatchObject({ ok: true, value: { bytes: 100_000, truncated: true } });
  });

  it('never splits a UTF-8 character when truncating', async () => {
    const result = await fetcher({ maxBytes: 11 })(`${site.origin}/accents`);
    expect(result).toMatchObject({ ok: true, value: { body: 'ééééé', bytes: 11, truncated: true } });
  });

  it('decodes the declared charset', async () => {
    expect(await fetcher()(`${site.origin}/latin1`)).toMatchObject({ ok: true, value: { body: 'café' } });
  });

  it('fails cleanly on a corrupt gzip body', async () => {
    const result = await fetcher()(`${site.origin}/corrupt-gzip`);
    expect(result).toMatchObject({ ok: false, error: { code: 'fetch_failed', retryable: false } });
  });

  it.each([
    ['/image.png', 'image/png'],
    ['/no-type', ''],
  ])('refuses %s as an unsupported content type', async (path, contentType) => {
    const result = await fetcher()(`${site.origin}${path}`);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'unsupported_content_type', details: { contentType } },
    });
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [404, false],
    [403, false],
  ])('reports status %i as http_error (retryable: %s)', async (code, retryable) => {
    const result = await fetcher()(`${site.origin}/status?code=${code}`);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'http_error', retryable, details: { status: code } },
    });
  });

  it('times out a slow body and a server that never answers', async () => {
    for (const path of ['/slow-body', '/slow-headers']) {
      const result = await fetcher({ timeoutMs: 300 })(`${site.origin}${path}`);
      expect(result).toMatchObject({ ok: false, error: { code: 'tool_timeout', retryable: true } });
    }
  });

  it('reports a refused connection as retryable fetch_failed', async () => {
    const closed = await startFixtureServer();
    await closed.close();
    const result = await fetcher({ allow: [`127.0.0.1:${closed.port}`] })(`${closed.origin}/plain`);
    expect(result).toMatchObject({ ok: false, error: { code: 'fetch_failed', retryable: true } });
  });

  it('sends the configured User-Agent', async () => {
    const result = await fetcher({ userAgent: 'Berth/9.9.9 (+fetch_url)' })(`${site.origin}/ua`);
    expect(result).toMatchObject({ ok: true, value: { body: 'Berth/9.9.9 (+fetch_url)' } });
  });

  it('rejects a non-http URL as invalid input', async () => {
    const result = await fetcher()('ftp://example.com/file');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_tool_input' } });
  });

  it('refuses a malformed allow entry at start', () => {
    expect(() => createFetchUrlTool({ allow: ['127.0.0.1'] })).toThrow(/must be host:port/);
    expect(() => createFetchUrlTool({ allow: ['example.com:99999'] })).toThrow(/must be host:port/);
  });
});
