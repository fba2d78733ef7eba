import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import { countPendingMigrations, migrationsFolder } from './migrations.js';
import { createPgPool } from './pg-pool.js';
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

/**
 * drizzle-orm's pooled `transaction()` runs BEGIN before the try/finally that releases the client, so a
 * BEGIN that fails (Postgres restarting, a connection cut right after checkout) leaks that client for
 * good; enough of them and every request waits on an empty pool (drizzle-team/drizzle-orm#6241 and
 * #6114, open). So Berth checks the client out itself, runs drizzle's transaction on that one client,
 * and always releases it; pg-pool discards a client whose connection broke.
 */
function ownClientTransactions(pool: pg.Pool): Db['transaction'] {
  const dbOf = new WeakMap<pg.PoolClient, Db>();
  return async (work, config) => {
    const client = await pool.connect();
    try {
      let clientDb = dbOf.get(client);
      if (!clientDb) {
        clientDb = drizzle({ client });
        dbOf.set(client, clientDb);
      }
      return await clientDb.transaction(work, config);
    } finally {
      client.release();
    }
  };
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = createPgPool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    application_name: 'berth',
  });
  const db: Db = drizzle({ client: pool });
  db.transaction = ownClientTransactions(pool);
  return {
    kind: 'postgres',
    db,
    migrate: async () => {
      const client = await pool.connect();
      try {
        // Several api processes may start at once; only one applies migrations at a time.
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await migrate(drizzle({ client }), { migrationsFolder });
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
