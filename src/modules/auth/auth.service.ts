import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_TENANT } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import type { Authenticator, Principal } from '../../platform/http/index.js';
import type { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository.js';

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export interface AuthServiceOptions {
  mode: 'auto' | 'off';
  /** Keys from BERTH_API_KEYS; they belong to the default tenant. */
  envKeys: string[];
  /**
   * How long a store lookup is trusted. Keys created or revoked by `berth keys` in another
   * process take effect within this time. Default 5 s.
   */
  cacheTtlMs?: number;
  now?: () => number;
}

export function createAuthService(repo: ApiKeysRepository, options: AuthServiceOptions) {
  const ttl = options.cacheTtlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const envHashes = new Set(options.envKeys.map(hashKey));
  const lookups = new Map<string, { principal: Principal | undefined; at: number }>();
  let storedCount = { value: 0, at: Number.NEGATIVE_INFINITY };

  async function activeStoredKeys(): Promise<number> {
    if (now() - storedCount.at > ttl) storedCount = { value: await repo.countActive(), at: now() };
    return storedCount.value;
  }

  const authenticator: Authenticator = {
    anonymous: () => ({ tenantId: DEFAULT_TENANT }),
    async required() {
      if (options.mode === 'off') return false;
      return envHashes.size > 0 || (await activeStoredKeys()) > 0;
    },
    async verify(key) {
      const hash = hashKey(key);
      if (envHashes.has(hash)) return { tenantId: DEFAULT_TENANT, keyId: `env:${hash.slice(0, 8)}` };
      const cached = lookups.get(hash);
      if (cached && now() - cached.at <= ttl) return cached.principal;
      const found = await repo.findActiveByHash(hash);
      const principal = found ? { tenantId: found.tenantId, keyId: found.id } : undefined;
      if (lookups.size > 10_000) lookups.clear();
      lookups.set(hash, { principal, at: now() });
      return principal;
    },
  };

  return {
    authenticator,
    /** True when some key exists, so exposing the server beyond loopback is safe. */
    async anyKeyConfigured(): Promise<boolean> {
      return envHashes.size > 0 || (await repo.countActive()) > 0;
    },
    /** Creates a key; the plain key is returned once and only its hash is stored. */
    async createKey(name: string): Promise<{ key: string; record: ApiKeyRecord }> {
      const trimmed = name.trim();
      if (!/^[\w .:@-]{1,64}$/.test(trimmed)) {
        throw new AppError(
          'validation_failed',
          `Key name "${name}" must be 1-64 letters, digits, spaces or ._:@-`,
        );
      }
      const key = `berth_${randomBytes(24).toString('base64url')}`;
      const record = await repo.insert({
        tenantId: DEFAULT_TENANT,
        name: trimmed,
        keyHash: hashKey(key),
        prefix: key.slice(0, 12),
      });
      return { key, record };
    },
    listKeys: () => repo.list(),
    async revokeKey(idOrPrefix: string): Promise<ApiKeyRecord[]> {
      const revoked = await repo.revoke(idOrPrefix);
      if (revoked.length === 0)
        throw new AppError('not_found', `No active key with id or prefix "${idOrPrefix}"`);
      return revoked;
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
