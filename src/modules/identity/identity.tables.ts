import { pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from '../../platform/db/index.js';

/** The tenant of embedded mode, of keys from BERTH_API_KEYS and of rows written before tenants existed. */
export const DEFAULT_TENANT = 'default';
/** The one user of embedded mode with auth off (and of BERTH_API_KEYS keys). */
export const LOCAL_USER = 'local';

/** Roles of a user in a tenant, weakest first: each grants what the ones before it do. */
export const roles = ['viewer', 'member', 'operator', 'admin', 'owner'] as const;
export type Role = (typeof roles)[number];
export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** People and service accounts; what they may do is per tenant, in memberships. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: roles }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    name: text('name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    /** The user the key acts as; a key without one acts as itself (user `key:<id>`). */
    userId: text('user_id').references(() => users.id),
    /** sha256 of the key; the key itself is shown once at creation and never stored. */
    keyHash: text('key_hash').notNull(),
    /** First characters of the key, so an operator can tell keys apart in `berth keys list`. */
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_keys_key_hash_idx').on(t.keyHash)],
);
