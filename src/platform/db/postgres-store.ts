import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { countPendingMigrations, migrationsFolder } from './migrations.js';
import * as schema from './schema.js';
import type { Db, Store } from './store.js';

export interface PostgresStoreOptions {
  url: string;
  /** Pool size per process. Default 10. */
  maxConnections?: number;
  /** Every query is cut off after this. Default 30 s. */
  statementTimeoutMs?: number;
  /** Waiting for a connection is cut off after this. Default 5 s. */
  connectTimeoutMs?: number;
}

// Any constant works; it only has to be the same in every Berth process.
const MIGRATION_LOCK_ID = 4_207_115_001;

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    application_name: 'berth',
  });
  // An idle client that loses its server emits 'error'; without a listener that kills the process.
  pool.on('error', () => {});
  const db: Db = drizzle({ client: pool, schema });
  return {
    kind: 'postgres',
    db,
    migrate: async () => {
      const client = await pool.connect();
      try {
        // Several api processes may start at once; only one applies migrations at a time.
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await migrate(drizzle({ client, schema }), { migrationsFolder });
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
        client.release();
      }
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
    pendingMigrations: () => countPendingMigrations(db),
    close: () => pool.end(),
  };
}
