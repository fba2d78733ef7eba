import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { type Db, schema } from '../../platform/db/index.js';

const { apiKeys } = schema;

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export function createApiKeysRepository(db: Db) {
  const columns = {
    id: apiKeys.id,
    tenantId: apiKeys.tenantId,
    name: apiKeys.name,
    prefix: apiKeys.prefix,
    createdAt: apiKeys.createdAt,
    revokedAt: apiKeys.revokedAt,
  };
  return {
    async insert(row: {
      tenantId: string;
      name: string;
      keyHash: string;
      prefix: string;
    }): Promise<ApiKeyRecord> {
      const [created] = await db.insert(apiKeys).values(row).returning(columns);
      if (!created) throw new Error('insert returned no row');
      return created;
    },
    async findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
      const [found] = await db
        .select(columns)
        .from(apiKeys)
        .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
        .limit(1);
      return found;
    },
    list: (): Promise<ApiKeyRecord[]> => db.select(columns).from(apiKeys).orderBy(desc(apiKeys.createdAt)),
    async countActive(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(apiKeys)
        .where(isNull(apiKeys.revokedAt));
      return row?.n ?? 0;
    },
    /** Revokes by id or by prefix; returns the revoked keys (none when nothing matched). */
    async revoke(idOrPrefix: string): Promise<ApiKeyRecord[]> {
      const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
      const match = isUuid ? eq(apiKeys.id, idOrPrefix) : eq(apiKeys.prefix, idOrPrefix);
      return db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(match, isNull(apiKeys.revokedAt)))
        .returning(columns);
    },
  };
}
export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>;
