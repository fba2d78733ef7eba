// Start-up, memory and chat throughput of `berth start` (PGlite and Postgres) and the idle RSS of
// `berth api` on Postgres and Redis, each next to a reference measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuMs, rssMiB, type Started, startServer, stop } from './processes.js';

const BERTH_START = ['bin/berth.js', 'start'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export interface ChatBenchOptions {
  durationS: number;
  connections: number;
  /** LOG_LEVEL of the Berth processes (its default is info). */
  logLevel: string;
  adminUrl: string;
  redisUrl: string;
}

export async function coldStarts(runs: number) {
  const fresh: number[] = [];
  const existing: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
    const env = { BERTH_DATA_DIR: dir };
    const first = await startServer(BERTH_START, env, '/readyz');
    fresh.push(first.readyMs);
    await stop(first.child);
    const second = await startServer(BERTH_START, env, '/readyz');
    existing.push(second.readyMs);
    await stop(second.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { fresh: median(fresh), existing: median(existing) };
}

/** Load on one server; its CPU per request barely moves with the machine's other load, where req/s does. */
async function load(server: Started, path: string, body: string, options: ChatBenchOptions) {
  const cpuBefore = cpuMs(server.child.pid as number);
  const result = await autocannon({
    url: `${server.url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: options.connections,
    duration: options.durationS,
  });
  return {
    rps: result.requests.average,
    cpuMsPerRequest: (cpuMs(server.child.pid as number) - cpuBefore) / result.requests.total,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 2_000));

/** Chat turns against `berth start`, next to a bare Fastify hello-world measured just before. */
export async function chatThroughput(options: ChatBenchOptions, extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const berth = await startServer(
    BERTH_START,
    { BERTH_DATA_DIR: dir, LOG_LEVEL: options.logLevel, ...extraEnv },
    '/readyz',
  );
  await settle();
  const idleRss = rssMiB(berth.child.pid as number);
  const hello = await startServer(['--import', 'tsx', 'bench/hello-server.ts'], {}, '/ready');
  try {
    const chatBody = JSON.stringify({
      message: 'summarize: Berth runs agents. It stores history. It is simple.',
      user_id: 'bench',
    });
    await load(berth, '/api/chat', chatBody, options); // warm-up
    const reference = await load(hello, '/hello', '{}', options);
    const chat = await load(berth, '/api/chat', chatBody, options);
    const loadedRss = rssMiB(berth.child.pid as number);
    return { idleRss, loadedRss, reference, chat };
  } finally {
    await stop(berth.child);
    await stop(hello.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `work` with a database of its own on the machine's Postgres (dropped after); undefined when Postgres is not reachable. */
export async function withDatabase<T>(adminUrl: string, tag: string, work: (url: string) => Promise<T>) {
  const name = `berth_bench_${tag}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch {
    await admin.end().catch(() => {});
    return undefined;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** Idle RSS of `berth api` (Postgres + Redis), 2 s after /readyz answered. */
export async function apiIdleRss(options: ChatBenchOptions): Promise<number | undefined> {
  return withDatabase(options.adminUrl, 'api', async (databaseUrl) => {
    const api = await startServer(
      ['bin/berth.js', 'api'],
      {
        DATABASE_URL: databaseUrl,
        REDIS_URL: options.redisUrl,
        BERTH_REDIS_PREFIX: `bench-api-${process.pid}`,
        LOG_LEVEL: options.logLevel,
      },
      '/readyz',
    );
    try {
      await settle();
      return rssMiB(api.child.pid as number);
    } finally {
      await stop(api.child);
    }
  });
}
