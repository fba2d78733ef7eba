import { describe, expect, it } from 'vitest';
import { identityFromClaims } from './oidc-claims.js';
import { safeReturnTo } from './sso.service.js';

const mapping = {
  userClaim: 'email',
  tenantClaim: 'berth_tenant',
  roleClaim: 'berth_role',
  defaultTenant: 'default',
};
const read = (claims: Record<string, unknown>, overrides = {}) =>
  identityFromClaims(claims, { ...mapping, ...overrides });

describe('identityFromClaims', () => {
  it('reads user, tenant and role from the configured claims', () => {
    expect(read({ sub: 's1', email: 'a@x.test', berth_tenant: 'acme', berth_role: 'admin' })).toEqual({
      ok: true,
      value: { userId: 'a@x.test', tenantId: 'acme', role: 'admin' },
    });
    const custom = read(
      { sub: 's1', upn: 'a@corp', org: 'corp', roles: ['viewer'] },
      {
        userClaim: 'upn',
        tenantClaim: 'org',
        roleClaim: 'roles',
      },
    );
    expect(custom).toEqual({ ok: true, value: { userId: 'a@corp', tenantId: 'corp', role: 'viewer' } });
  });

  it('falls back to sub without an email or with an unverified one, and to the default tenant', () => {
    expect(read({ sub: 's1' })).toEqual({ ok: true, value: { userId: 's1', tenantId: 'default' } });
    expect(read({ sub: 's1', email: 'boss@x.test', email_verified: false })).toMatchObject({
      value: { userId: 's1' },
    });
  });

  it('takes the highest Berth role of a list and refuses a claim that names none', () => {
    expect(read({ sub: 's', berth_role: ['member', 'auditor', 'owner', 'viewer'] })).toMatchObject({
      value: { role: 'owner' },
    });
    for (const role of ['system', 'root', ['auditor'], 7]) {
      const result = read({ sub: 's', berth_role: role });
      expect(result.ok, JSON.stringify(role)).toBe(false);
      expect(!result.ok && result.error.httpStatus).toBe(403);
    }
  });

  it('refuses a token without a user, or with a tenant that is not a tenant id', () => {
    expect(read({})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(read({ sub: 's', berth_tenant: '*' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(read({ sub: 'has space' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

describe('safeReturnTo', () => {
  it('keeps paths of this site and nothing else', () => {
    expect(safeReturnTo('/tasks/123?x=1')).toBe('/tasks/123?x=1');
    for (const evil of ['//evil.test', '/\\evil.test', 'https://evil.test', 'evil', '/a b', undefined]) {
      expect(safeReturnTo(evil), String(evil)).toBe('/chat');
    }
  });
});
