import { describe, expect, it } from 'vitest';
import { type LookupAll, parseAllowList, resolveTarget } from './url-guard.js';

const records =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const failingLookup =
  (code: string): LookupAll =>
  async () => {
    throw Object.assign(new Error(`getaddrinfo ${code}`), { code });
  };

const policy = (lookup: LookupAll, allow: string[] = []) => ({ allow: parseAllowList(allow), lookup });

describe('parseAllowList', () => {
  it('normalises hosts the way URLs are normalised', () => {
    expect(parseAllowList(['127.1:4567', 'Fixtures.Internal.:80', '[0:0::1]:8080'])).toEqual(
      new Set(['127.0.0.1:4567', 'fixtures.internal:80', '[::1]:8080']),
    );
  });

  it.each(['127.0.0.1', 'host:0', 'host:65536', 'http://host:80', '::1:80', 'user@host:80'])(
    'refuses the malformed entry %s',
    (entry) => {
      expect(() => parseAllowList([entry])).toThrow(/must be host:port/);
    },
  );
});

describe('resolveTarget', () => {
  it('pins a public name to every address it resolves to', async () => {
    const result = await resolveTarget(
      new URL('https://example.org/a?b=1'),
      policy(records('93.184.216.34', '2606:2800:220:1::1')),
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        host: 'example.org',
        port: 443,
        addresses: [{ address: '93.184.216.34' }, { address: '2606:2800:220:1::1' }],
        exempt: [],
      },
    });
  });

  it('exempts NAT64 addresses of public IPv4 from the agent, which refuses every NAT64 address', async () => {
    const result = await resolveTarget(
      new URL('http://v6only.example/'),
      policy(records('64:ff9b::808:808')),
    );
    expect(result).toMatchObject({ ok: true, value: { exempt: ['64:ff9b::808:808'] } });
  });

  it('exempts every address of an allow-listed name', async () => {
    const allowed = policy(records('10.0.0.7'), ['fixtures.internal:8080']);
    const result = await resolveTarget(new URL('http://fixtures.internal:8080/x'), allowed);
    expect(result).toMatchObject({ ok: true, value: { exempt: ['10.0.0.7'] } });
    const otherPort = await resolveTarget(new URL('http://fixtures.internal:8081/x'), allowed);
    expect(otherPort).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
  });

  it('names the host and the record at fault', async () => {
    const result = await resolveTarget(
      new URL('http://db.example/'),
      policy(records('2606:4700::1', 'fd00::5')),
    );
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'ssrf_blocked',
        retryable: false,
        message:
          'db.example resolves to fd00::5, a private address (unique local, fc00::/7); to allow it, add db.example:80 to BERTH_FETCH_ALLOW',
        details: { host: 'db.example', address: 'fd00::5' },
      },
    });
  });

  it.each([
    ['ENOTFOUND', false],
    ['EAI_AGAIN', true],
  ])('reports a DNS failure (%s) as fetch_failed, retryable: %s', async (code, retryable) => {
    const result = await resolveTarget(new URL('http://gone.example/'), policy(failingLookup(code)));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'fetch_failed', retryable, details: { code } },
    });
  });

  it('refuses schemes other than http and https', async () => {
    const result = await resolveTarget(new URL('gopher://example.org/'), policy(records('93.184.216.34')));
    expect(result).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
  });
});
