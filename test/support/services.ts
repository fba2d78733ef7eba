import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openStore, type Store } from '../../src/platform/db/index.js';
import { trackChild } from './child-processes.js';

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

async function redisReachable(): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis rejects connect() with "Connection is closed."; the 'error' event has the cause.
  let cause: unknown;
  redis.on('error', (error) => {
    cause ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    const reported = cause ?? error;
    const message = reported instanceof Error ? reported.message : String(reported);
    return `Redis at ${new URL(REDIS_URL).host} is not reachable (${message})`;
  } finally {
    redis.disconnect();
  }
}

/** undefined when Redis can be used; else the one-line reason to skip (or a thrown error under BERTH_REQUIRE_SERVICES=1). */
/** A migrated store on a new test database; close() closes it and drops the database. */
export async function openTestPostgresStore(): Promise<{ store: Store; close(): Promise<void> }> {
  const database = await createTestDatabase();
  const store = await openStore({ databaseUrl: database.url, dataDir: '' });
  await store.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}

export async function redisSkipReason(): Promise<string | undefined> {
  const reason = await redisReachable();
  if (reason && SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

/** Deletes every key under `prefix:` (SCAN + UNLINK): tests share the machine's Redis, so never FLUSHDB. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** undefined when `redis-server` can be started for a private instance; else why not (or a throw under BERTH_REQUIRE_SERVICES=1). */
export function redisServerSkipReason(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  const reason = probe.status === 0 ? undefined : 'redis-server is not on PATH';
  if (reason && SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

/** A redis-server of one test's own (no persistence), which the test may stop and start again on the same port. */
export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedis(extraArgs: string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    ...extraArgs,
  ];
  let child: ChildProcess | undefined;
  const server: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = trackChild(spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] }));
      await readyToAccept(child);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    },
  };
  await server.start();
  return server;
}

function readyToAccept(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output}`));
    });
  });
}

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
