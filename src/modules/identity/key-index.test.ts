import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActiveKey } from './identity.repository.js';
import { createKeyIndex, hashKey } from './key-index.js';

const active = (key: string): ActiveKey => ({
  id: 'k1',
  tenantId: 'acme',
  userId: 'alice',
  role: 'member',
  keyHash: hashKey(key),
});

function countingRepo(keys: ActiveKey[], everCreated = keys.length > 0) {
  const repo = {
    snapshots: 0,
    keys,
    async keyIndexSnapshot() {
      repo.snapshots++;
      return { active: repo.keys, everCreated };
    },
  };
  return repo;
}

describe('KeyIndex', () => {
  it('answers a flood of unknown keys without asking the store again', async () => {
    const repo = countingRepo([active('berth_good')]);
    const index = createKeyIndex(repo, { now: () => 0 });
    const misses = await Promise.all(
      Array.from({ length: 1_000 }, () => index.find(`berth_${randomBytes(12).toString('hex')}`)),
    );
    expect(misses.every((m) => m === undefined)).toBe(true);
    expect(await index.find('berth_good')).toMatchObject({ tenantId: 'acme', userId: 'alice' });
    expect(repo.snapshots).toBe(1);
  });

  it('sees keys created or revoked elsewhere once the snapshot is older than the refresh period', async () => {
    let clock = 0;
    const repo = countingRepo([active('berth_old')]);
    const index = createKeyIndex(repo, { refreshMs: 5_000, now: () => clock });
    expect(await index.find('berth_old')).toBeDefined();
    repo.keys = [active('berth_new')];
    clock = 4_000;
    expect(await index.find('berth_old')).toBeDefined();
    clock = 5_001;
    expect(await index.find('berth_old')).toBeUndefined();
    expect(await index.find('berth_new')).toBeDefined();
    expect(repo.snapshots).toBe(2);
  });

  it('remembers that a key once existed after the last one is revoked', async () => {
    const index = createKeyIndex(countingRepo([], true));
    expect(await index.everCreated()).toBe(true);
    expect(await index.activeCount()).toBe(0);
  });
});
