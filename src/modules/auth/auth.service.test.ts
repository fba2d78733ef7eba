import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { openPgliteStore, type Store } from '../../platform/db/index.js';
import { createApiKeysRepository } from './api-keys.repository.js';
import { createAuthService, hashKey } from './auth.service.js';

describe('AuthService', () => {
  let store: Store;
  let clock = 0;
  beforeAll(async () => {
    store = await openPgliteStore({ dataDir: 'memory://', templatePath: PGLITE_TEMPLATE });
    await store.migrate();
  });
  afterAll(() => store.close());

  const service = (options: Partial<Parameters<typeof createAuthService>[1]> = {}) =>
    createAuthService(createApiKeysRepository(store.db), {
      mode: 'auto',
      envKeys: [],
      now: () => clock,
      cacheTtlMs: 1000,
      ...options,
    });

  it('requires no key until one exists, then requires one', async () => {
    const auth = service();
    expect(await auth.authenticator.required()).toBe(false);
    const { key, record } = await auth.createKey('laptop');
    clock += 1001;
    expect(await auth.authenticator.required()).toBe(true);
    expect(await auth.authenticator.verify(key)).toEqual({ tenantId: 'default', keyId: record.id });
    expect(await auth.authenticator.verify(`${key}x`)).toBeUndefined();
  });

  it('stores only a hash of the key', async () => {
    const auth = service();
    const { key } = await auth.createKey('hash check');
    const rows = await store.db.query.apiKeys.findMany();
    expect(rows.some((row) => row.keyHash === hashKey(key))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('refuses a revoked key once its cache entry expires', async () => {
    const auth = service();
    const { key, record } = await auth.createKey('to revoke');
    expect(await auth.authenticator.verify(key)).toBeDefined();
    await auth.revokeKey(record.id);
    clock += 1001;
    expect(await auth.authenticator.verify(key)).toBeUndefined();
    await expect(auth.revokeKey(record.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('accepts keys from the environment and is never required when off', async () => {
    const auth = service({ envKeys: ['env-key'] });
    expect(await auth.authenticator.verify('env-key')).toMatchObject({ tenantId: 'default' });
    expect(await service({ mode: 'off' }).authenticator.required()).toBe(false);
  });

  it('rejects a key name it cannot show back safely', async () => {
    await expect(service().createKey('bad\nname')).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
