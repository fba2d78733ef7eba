import { createHash } from 'node:crypto';
import type { ActiveKey, IdentityRepository } from './identity.repository.js';

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface KeyIndexOptions {
  /**
   * How long a snapshot of the active keys is trusted. Keys created or revoked by another process
   * (another api replica, `berth keys` on Postgres) take effect within this time. Default 5 s.
   */
  refreshMs?: number;
  now?: () => number;
}

/**
 * Every active key's hash in memory, reloaded at most once per refresh period. A presented key is
 * a map lookup, so a flood of unknown keys costs no store query at all.
 */
export function createKeyIndex(
  repo: Pick<IdentityRepository, 'keyIndexSnapshot'>,
  options: KeyIndexOptions = {},
) {
  const refreshMs = options.refreshMs ?? 5_000;
  const now = options.now ?? Date.now;
  let byHash = new Map<string, ActiveKey>();
  let everCreated = false;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;

  const load = () => {
    loading ??= repo
      .keyIndexSnapshot()
      .then((snapshot) => {
        byHash = new Map(snapshot.active.map((key) => [key.keyHash, key]));
        everCreated = snapshot.everCreated;
        loadedAt = now();
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  const fresh = async () => {
    if (now() - loadedAt > refreshMs) await load();
  };

  return {
    async find(key: string): Promise<ActiveKey | undefined> {
      await fresh();
      return byHash.get(hashKey(key));
    },
    /** True once any key was ever stored (revoking the last one does not turn auth off). */
    async everCreated(): Promise<boolean> {
      await fresh();
      return everCreated;
    },
    async activeCount(): Promise<number> {
      await fresh();
      return byHash.size;
    },
    /** Reloads at once (this process created or revoked a key). */
    reload: () => load(),
  };
}
export type KeyIndex = ReturnType<typeof createKeyIndex>;
