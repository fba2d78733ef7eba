import pg from 'pg';

export const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Set by .ci/run: a missing service fails the run instead of skipping tests. */
export const SERVICES_REQUIRED = process.env.BERTH_REQUIRE_SERVICES === '1';

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `Postgres at ${new URL(POSTGRES_URL).host} is not reachable (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** undefined when Postgres can be used; else the one-line reason to skip (or a thrown error under BERTH_REQUIRE_SERVICES=1). */
export async function postgresSkipReason(): Promise<string | undefined> {
  const reason = await postgresReachable();
  if (reason && SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

/** A new empty database for one test file; dropped by the returned cleanup. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `berth_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
