import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { DataDirLock } from './data-dir-lock.js';

export type Db = PgDatabase<PgQueryResultHKT>;
/** A transaction handle; repositories accept either a Db or a Tx. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** The one store Berth runs on: embedded PGlite or a Postgres server, with the same schema and migrations. */
export interface Store {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** The embedded store's data dir lock (none on Postgres or in memory). */
  readonly lock?: DataDirLock;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Resolves when the store answers a trivial query within its timeout. */
  ping(): Promise<void>;
  /** How many known migrations are not applied yet (0 = up to date). */
  pendingMigrations(): Promise<number>;
  close(): Promise<void>;
}

/** Rows of a raw query; both drivers return `{ rows }`, which the generic PgDatabase type cannot know. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as { rows: T[] };
  return result.rows;
}

/**
 * Ids as one `uuid[]` parameter, for `= ANY(...)`: the planner answers that from the primary key,
 * where a join to a `jsonb_to_recordset` alone (estimated at 100 rows) would scan the whole table.
 */
export const uuidArray = (ids: string[]): SQL => sql`${`{${ids.join(',')}}`}::uuid[]`;

// JSON carries a lone surrogate as an escape Postgres refuses; a text parameter's UTF-8 encoding
// puts U+FFFD in its place, and so does this.
const wellFormed = (_key: string, value: unknown) =>
  typeof value === 'string' && !value.isWellFormed() ? value.toWellFormed() : value;

/**
 * Rows as one jsonb parameter, for `jsonb_to_recordset(...) AS r(col type, …)`: the statement's
 * text is the same for any number of rows, and nothing is built per value.
 */
export const jsonRows = (rows: readonly object[]): SQL => sql`${JSON.stringify(rows, wellFormed)}::jsonb`;
