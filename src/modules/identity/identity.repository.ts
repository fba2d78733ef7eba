import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/index.js';
import { apiKeys, memberships, type Role, tenants, users } from './identity.tables.js';

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export interface MemberRecord {
  tenantId: string;
  userId: string;
  role: Role;
  createdAt: Date;
}

export interface KeyRecord {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  userId: string | null;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** An active key as the authenticator needs it. */
export interface ActiveKey {
  id: string;
  tenantId: string;
  userId: string | null;
  role: Role;
  keyHash: string;
}

const keyColumns = {
  id: apiKeys.id,
  tenantId: apiKeys.tenantId,
  name: apiKeys.name,
  role: apiKeys.role,
  userId: apiKeys.userId,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
};

/** Tenants, users, memberships and API keys. Every read of a tenant's rows names the tenant. */
export function createIdentityRepository(db: Db) {
  return {
    /** Creates the tenant; undefined when the id is taken. */
    async insertTenant(row: { id: string; name: string }): Promise<TenantRecord | undefined> {
      const [created] = await db.insert(tenants).values(row).onConflictDoNothing().returning();
      return created;
    },
    findTenant: async (id: string): Promise<TenantRecord | undefined> =>
      (await db.select().from(tenants).where(eq(tenants.id, id)))[0],
    listTenants: (): Promise<TenantRecord[]> => db.select().from(tenants).orderBy(asc(tenants.id)),

    /** Adds the user to the tenant with the role, or changes its role there. */
    async upsertMember(row: { tenantId: string; userId: string; role: Role }): Promise<MemberRecord> {
      return db.transaction(async (tx) => {
        await tx.insert(users).values({ id: row.userId }).onConflictDoNothing();
        const [member] = await tx
          .insert(memberships)
          .values(row)
          .onConflictDoUpdate({ target: [memberships.tenantId, memberships.userId], set: { role: row.role } })
          .returning();
        if (!member) throw new Error('membership upsert returned no row');
        return member;
      });
    },
    findMember: async (tenantId: string, userId: string): Promise<MemberRecord | undefined> =>
      (
        await db
          .select()
          .from(memberships)
          .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
      )[0],
    listMembers: (tenantId: string): Promise<MemberRecord[]> =>
      db
        .select()
        .from(memberships)
        .where(eq(memberships.tenantId, tenantId))
        .orderBy(asc(memberships.userId)),

    async insertKey(row: {
      tenantId: string;
      name: string;
      role: Role;
      userId?: string;
      keyHash: string;
      prefix: string;
    }): Promise<KeyRecord> {
      const [created] = await db.insert(apiKeys).values(row).returning(keyColumns);
      if (!created) throw new Error('key insert returned no row');
      return created;
    },
    listKeys: (tenantId: string): Promise<KeyRecord[]> =>
      db
        .select(keyColumns)
        .from(apiKeys)
        .where(eq(apiKeys.tenantId, tenantId))
        .orderBy(desc(apiKeys.createdAt)),
    listActiveKeyRecords: (tenantId: string): Promise<Array<KeyRecord & { keyHash: string }>> =>
      db
        .select({ ...keyColumns, keyHash: apiKeys.keyHash })
        .from(apiKeys)
        .where(and(eq(apiKeys.tenantId, tenantId), isNull(apiKeys.revokedAt))),
    async revokeKey(tenantId: string, id: string): Promise<KeyRecord | undefined> {
      const [revoked] = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning(keyColumns);
      return revoked;
    },

    /** Every active key (for the in-memory index) and whether any key was ever created. */
    async keyIndexSnapshot(): Promise<{ active: ActiveKey[]; everCreated: boolean }> {
      const active = await db
        .select({
          id: apiKeys.id,
          tenantId: apiKeys.tenantId,
          userId: apiKeys.userId,
          role: apiKeys.role,
          keyHash: apiKeys.keyHash,
        })
        .from(apiKeys)
        .where(isNull(apiKeys.revokedAt));
      if (active.length > 0) return { active, everCreated: true };
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(apiKeys);
      return { active, everCreated: (row?.n ?? 0) > 0 };
    },
  };
}
export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
