import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type Db, queryRows } from './store.js';

/** Shipped beside this file (the build copies the folder to dist/). */
export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export const knownMigrationCount = (): number => readMigrationFiles({ migrationsFolder }).length;

export async function countPendingMigrations(db: Db): Promise<number> {
  const known = knownMigrationCount();
  const [table] = await queryRows<{ exists: boolean }>(
    db,
    sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS "exists"`,
  );
  if (!table?.exists) return known;
  const [applied] = await queryRows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
  );
  return Math.max(0, known - (applied?.n ?? 0));
}
