import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../testdata/fixture-server.js';
import { guardedGet } from './guarded-request.js';
import type { FetchTarget } from './url-guard.js';

let site: FixtureServer;
beforeAll(async () => {
  site = await startFixtureServer();
});
afterAll(() => site.close());

// Targets built by hand skip the up-front URL guard, so only the connect-time checks stand in the way.
const target = (host: string, exempt: string[]): FetchTarget => ({
  url: new URL(`http://${host}:${site.port}/plain`),
  host,
  port: site.port,
  addresses: [{ address: '127.0.0.1', family: 4 }],
  exempt,
});

const get = (t: FetchTarget) => guardedGet(t, { signal: AbortSignal.timeout(5_000), headers: {} });

describe('guardedGet', () => {
  it('refuses at connect time a name pinned to a loopback address', async () => {
    const result = await get(target('rebound.example', []));
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'ssrf_blocked',
        message: `rebound.example resolves to 127.0.0.1, a loopback address; to allow it, add rebound.example:${site.port} to BERTH_FETCH_ALLOW`,
      },
    });
    expect(site.hits).toEqual([]);
  });

  it("refuses a literal loopback host through request-filtering-agent's own check", async () => {
    const result = await get(target('127.0.0.1', []));
    expect(result).toMatchObject({ ok: false, error: { code: 'ssrf_blocked' } });
    if (!result.ok) expect(result.error.message).toContain('refused at connect time');
    expect(site.hits).toEqual([]);
  });

  it('connects to exempted addresses, by name and literally', async () => {
    for (const host of ['fixtures.internal', '127.0.0.1']) {
      const result = await get(target(host, ['127.0.0.1']));
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value.response.statusCode).toBe(200);
        result.value.release();
      }
    }
    expect(site.hits).toEqual(['/plain', '/plain']);
  });
});
