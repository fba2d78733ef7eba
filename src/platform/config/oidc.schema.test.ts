import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: tmpdir() });
const problems = (env: Record<string, string>) => {
  const result = load(env);
  return result.ok ? [] : result.error.problems;
};
const SECRET = 'x'.repeat(32);
const complete = {
  BERTH_OIDC_ISSUER: 'https://login.example.com/realms/acme',
  BERTH_OIDC_CLIENT_ID: 'berth',
  BERTH_PUBLIC_URL: 'https://berth.example.com/',
  BERTH_SESSION_SECRET: SECRET,
};

describe('OIDC configuration', () => {
  it('is off without an issuer, whatever else is set', () => {
    const result = load({ BERTH_OIDC_CLIENT_ID: 'berth' });
    expect(result.ok && result.value.auth.oidc.issuer).toBeUndefined();
  });

  it("has documented defaults once on, and drops the public URL's trailing slash", () => {
    const result = load(complete);
    expect(result.ok && result.value.auth).toMatchObject({
      oidc: {
        scopes: 'openid profile email',
        userClaim: 'email',
        tenantClaim: 'berth_tenant',
        roleClaim: 'berth_role',
        defaultTenant: 'default',
      },
      session: { ttlMs: 8 * 3_600_000 },
    });
    expect(result.ok && result.value.server.publicUrl).toBe('https://berth.example.com');
    expect(result.ok && result.value.auth.oidc.clientSecret).toBeUndefined();
  });

  it('refuses to start without a client id, a public URL or a session secret, naming each variable', () => {
    const found = problems({ BERTH_OIDC_ISSUER: complete.BERTH_OIDC_ISSUER });
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toMatch(/BERTH_OIDC_CLIENT_ID is required when OIDC is on/);
    expect(found.join('\n')).toMatch(/BERTH_PUBLIC_URL is required .*\/auth\/callback/);
    expect(found.join('\n')).toMatch(/BERTH_SESSION_SECRET is required when OIDC is on: at least 32/);
  });

  it('refuses a short session secret, a plain-http issuer off loopback and scopes without openid', () => {
    expect(problems({ ...complete, BERTH_SESSION_SECRET: 'short' })).toEqual([
      'BERTH_SESSION_SECRET (auth.session.secret): must be at least 32 characters (e.g. openssl rand -base64 32); got a hidden value of 5 characters',
    ]);
    expect(problems({ ...complete, BERTH_OIDC_ISSUER: 'http://login.example.com' })[0]).toMatch(
      /^BERTH_OIDC_ISSUER \(auth.oidc.issuer\): must be https/,
    );
    expect(load({ ...complete, BERTH_OIDC_ISSUER: 'http://127.0.0.1:9000' }).ok).toBe(true);
    expect(problems({ ...complete, BERTH_OIDC_SCOPES: 'profile email' })[0]).toMatch(/must include openid/);
  });
});
