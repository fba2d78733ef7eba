// `npm run bench`: Berth's start-up, memory and chat throughput, each next to a reference measured in the same run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { benchBerthWorkers, benchRawChain } from './distributed-bench.js';
import { ROOT, rssMiB, startServer, stop } from './processes.js';
import { benchTasks } from './tasks-bench.js';

const BERTH = ['bin/berth.js', 'start'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const durationS = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
// Berth logs every request at `info`, its default; the reference logs nothing. BENCH_LOG_LEVEL changes Berth's.
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';

async function coldStarts(runs: number) {
  const fresh: number[] = [];
  const existing: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
    const env = { BERTH_DATA_DIR: dir };
    const first = await startServer(BERTH, env, '/readyz');
    fresh.push(first.readyMs);
    await stop(first.child);
    const second = await startServer(BERTH, env, '/readyz');
    existing.push(second.readyMs);
    await stop(second.child);
    rmSync(dir, { recursive: true, force: true });
  }
  return { fresh: median(fresh), existing: median(existing) };
}

async function load(url: string, path: string, body: string) {
  const result = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: durationS,
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function throughput(extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const berth = await startServer(
    BERTH,
    { BERTH_DATA_DIR: dir, LOG_LEVEL: logLevel, ...extraEnv },
    '/readyz',
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idleRss = rssMiB(berth.child.pid as number);
  const hello = await startServer(['--import', 'tsx', 'bench/hello-server.ts'], {}, '/ready');
  try {
    const chatBody = JSON.stringify({
      message: 'summarize: Berth runs agents. It stores history. It is simple.',
      user_id: 'bench',
    });
    await load(berth.url, '/api/chat', chatBody); // warm-up
    const reference = await load(hello.url, '/hello', '{}');
    const chat = await load(berth.url, '/api/chat', chatBody);
    const loadedRss = rssMiB(berth.child.pid as number);
    return { idleRss, loadedRss, reference, chat };
  } finally {
    await stop(berth.child);
    await stop(hello.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

/** Distributed mode on the machine's Postgres and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL), next to raw BullMQ. */
async function distributedRows(date: string): Promise<string[]> {
  const base = {
    adminUrl: ADMIN_URL,
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    tasks: Number(process.env.BENCH_DISTRIBUTED_TASKS ?? 600),
    latencyTasks: 150,
    latencyRate: 20,
  };
  let raw: Awaited<ReturnType<typeof benchRawChain>>;
  try {
    raw = await benchRawChain({ ...base, workers: 1 });
  } catch (error) {
    return [`## Distributed mode — ${date}`, '', `Not measured: ${(error as Error).message}`, ''];
  }
  const rows = [
    `| raw BullMQ, the same three-job chain, no-op handlers, concurrency 8, one process (the ceiling) | ${fmt(raw.chainsPerSecond)} chains/s; pick-up p50 ${fmt(raw.p50, 1)} ms, p99 ${fmt(raw.p99, 1)} ms at ${base.latencyRate} chains/s |`,
  ];
  for (const workers of [1, 2, 4]) {
    const r = await benchBerthWorkers({ ...base, workers });
    rows.push(
      `| Berth, ${workers} worker process${workers > 1 ? 'es' : ''} (concurrency 8 each) | ${fmt(r.tasksPerSecond, 1)} tasks/s — **${fmt((100 * r.tasksPerSecond) / raw.chainsPerSecond, 1)} %** of raw; ${fmt(r.commitsPerTask, 1)} commits/task; pick-up p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms at ${base.latencyRate} tasks/s (${fmt(r.p50 / Math.max(raw.p50, 1), 1)}× / ${fmt(r.p99 / Math.max(raw.p99, 1), 1)}× raw, raw taken as at least 1 ms: BullMQ's timestamps are whole ms) |`,
    );
  }
  return [
    `## Distributed mode (Postgres + Redis) — ${date}`,
    '',
    `Tasks of three no-op steps (a → b → c) submitted by the bench process (the api side: task, steps and outbox in one transaction, outbox relay to BullMQ), run by separate worker processes; ${base.tasks} tasks in a burst for throughput, then ${base.latencyTasks} at ${base.latencyRate}/s for latency. Commits are Postgres' own count (pg_stat_database.xact_commit, read-only statements included).`,
    '',
    '| what | result |',
    '|---|---|',
    ...rows,
    '',
  ];
}

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The chat throughput again on Postgres, in a database of its own (dropped after); undefined when Postgres is not reachable. */
async function chatOnPostgres() {
  const name = `berth_bench_chat_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch {
    await admin.end().catch(() => {});
    return undefined;
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await throughput({ DATABASE_URL: url.toString() });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function main() {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  const starts = await coldStarts(3);
  const pglite = await throughput();
  const postgres = await chatOnPostgres();

  const rows = [
    `| cold start to /readyz, new data dir (from the shipped template) | ${fmt(starts.fresh)} ms |`,
    `| cold start to /readyz, existing data dir | ${fmt(starts.existing)} ms |`,
    `| idle RSS after start (PGlite) | ${fmt(pglite.idleRss)} MiB |`,
    `| RSS after the chat load (PGlite) | ${fmt(pglite.loadedRss)} MiB |`,
    `| bare Fastify hello-world (reference) | ${fmt(pglite.reference.rps)} req/s, p99 ${pglite.reference.p99} ms |`,
    `| POST /api/chat, offline model, PGlite | ${fmt(pglite.chat.rps)} req/s, p99 ${pglite.chat.p99} ms, ${pglite.chat.errors} errors — **${fmt((100 * pglite.chat.rps) / pglite.reference.rps, 1)} %** of the reference |`,
  ];
  if (postgres) {
    rows.push(
      `| bare Fastify hello-world (reference, second run) | ${fmt(postgres.reference.rps)} req/s |`,
      `| POST /api/chat, offline model, Postgres | ${fmt(postgres.chat.rps)} req/s, p99 ${postgres.chat.p99} ms, ${postgres.chat.errors} errors — **${fmt((100 * postgres.chat.rps) / postgres.reference.rps, 1)} %** of the reference |`,
    );
  }
  const tasks = await benchTasks({
    tasks: Number(process.env.BENCH_TASKS ?? 500),
    latencyTasks: 100,
    concurrency: 4,
    seconds: 5,
  });
  const taskRows = [
    `| PGlite write transactions (insert + update + commit), sequential — the baseline | ${fmt(tasks.baselineTx)} tx/s |`,
    `| transactions per task (3 no-op steps: create, claim/record each step, outbox relay) | ${fmt(tasks.txPerTask, 1)} |`,
    `| baseline tasks/s = baseline tx/s ÷ transactions per task | ${fmt(tasks.baselineTasksPerSecond)} tasks/s |`,
    `| end-to-end tasks/s, 3 no-op steps, one process, 4 workers, ${process.env.BENCH_TASKS ?? 500} tasks in a burst | ${fmt(tasks.tasksPerSecond, 1)} tasks/s — **${fmt((100 * tasks.tasksPerSecond) / tasks.baselineTasksPerSecond, 1)} %** of the baseline |`,
    `| step pick-up latency (ready → started), one task at a time, p50 / p99 | ${fmt(tasks.pickupP50, 1)} ms / ${fmt(tasks.pickupP99, 1)} ms — p50 is ${fmt(tasks.pickupP50 / (1000 / tasks.baselineTx), 1)} × one baseline transaction |`,
  ];
  const distributed = await distributedRows(date);
  const section = [
    `## Core service — ${date}`,
    '',
    `Machine: ${machine}. Load: autocannon in the bench process, ${connections} connections, ${durationS} s per target, each server in its own process; every chat request starts a new conversation and writes two messages.`,
    '',
    '| what | result |',
    '|---|---|',
    ...rows,
    '',
    `## Tasks in one process (PGlite) — ${date}`,
    '',
    'A task of three no-op steps in a chain (a → b → c) goes through the real path: task and outbox rows in one transaction, the outbox relay, the in-process queue, the step runner (claim, run the tool through the registry, record and ready the next step in one transaction).',
    '',
    '| what | result |',
    '|---|---|',
    ...taskRows,
    '',
    ...distributed,
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_WRITE)
    writeFileSync(join(ROOT, 'bench/RESULTS.md'), `# Benchmark results\n\n${section}`);
}

await main();
