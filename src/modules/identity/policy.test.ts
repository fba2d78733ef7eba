import { describe, expect, it } from 'vitest';
import type { Actor } from '../../platform/http/index.js';
import { actingUser, allows, canAccess, mayGrant, ownerScope } from './policy.js';

const actor = (role: string, userId = 'alice', tenantId = 'acme'): Actor => ({
  tenantId,
  userId,
  role,
  via: 'key',
});
const aliceTask = { tenantId: 'acme', userId: 'alice' };
const bobTask = { tenantId: 'acme', userId: 'bob' };
const otherTenantTask = { tenantId: 'globex', userId: 'alice' };

describe('access policy', () => {
  it('grants each role what the table in the README says', () => {
    expect(allows(actor('viewer'), 'tasks:create')).toBe(false);
    expect(allows(actor('viewer'), 'tasks:read')).toBe(true);
    expect(allows(actor('member'), 'tasks:create')).toBe(true);
    expect(allows(actor('member'), 'keys:manage')).toBe(false);
    expect(allows(actor('admin'), 'keys:manage')).toBe(true);
    expect(allows(actor('owner'), 'tenants:create')).toBe(false);
    expect(allows(actor('system'), 'tenants:create')).toBe(true);
    expect(allows(actor('member'), 'no:such-permission')).toBe(false);
    expect(allows(actor('superuser'), 'tasks:read')).toBe(false);
  });

  it("lets a member reach only its own resources, an operator every user's tasks", () => {
    expect(canAccess(actor('member'), 'tasks:read', aliceTask)).toBe(true);
    expect(canAccess(actor('member'), 'tasks:read', bobTask)).toBe(false);
    expect(canAccess(actor('operator'), 'tasks:cancel', bobTask)).toBe(true);
    expect(canAccess(actor('operator'), 'conversations:read', bobTask)).toBe(false);
    expect(canAccess(actor('admin'), 'conversations:read', bobTask)).toBe(true);
    for (const role of ['viewer', 'member', 'operator', 'admin', 'owner']) {
      expect(canAccess(actor(role), 'tasks:read', otherTenantTask), role).toBe(false);
    }
  });

  it("lets operators and above read and record their tenant's eval runs, and nobody another tenant's", () => {
    const acmeRun = { tenantId: 'acme' };
    for (const role of ['viewer', 'member']) {
      expect(allows(actor(role), 'evals:read'), role).toBe(false);
      expect(allows(actor(role), 'evals:write'), role).toBe(false);
    }
    for (const role of ['operator', 'admin', 'owner']) {
      expect(canAccess(actor(role), 'evals:read', acmeRun), role).toBe(true);
      expect(canAccess(actor(role), 'evals:write', acmeRun), role).toBe(true);
      expect(canAccess(actor(role), 'evals:read', { tenantId: 'globex' }), role).toBe(false);
    }
  });

  it('scopes listings to the caller unless its role sees every user', () => {
    expect(ownerScope(actor('member'), 'tasks:read')).toBe('alice');
    expect(ownerScope(actor('operator'), 'tasks:read')).toBeUndefined();
    expect(ownerScope(actor('operator'), 'conversations:read')).toBe('alice');
  });

  it('refuses a user_id that is not the caller unless it is an admin', () => {
    expect(actingUser(actor('member'), undefined)).toBe('alice');
    expect(actingUser(actor('member'), 'alice')).toBe('alice');
    expect(() => actingUser(actor('operator'), 'bob')).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(actingUser(actor('admin'), 'bob')).toBe('bob');
  });

  it('never lets a role grant one above itself', () => {
    expect(mayGrant(actor('admin'), 'owner')).toBe(false);
    expect(mayGrant(actor('admin'), 'admin')).toBe(true);
    expect(mayGrant(actor('system'), 'owner')).toBe(true);
  });
});
