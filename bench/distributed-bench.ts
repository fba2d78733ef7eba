// Distributed mode: tasks of three no-op steps through Postgres, the outbox and BullMQ, with 1, 2 and 4
// worker processes, next to raw BullMQ running the same three-job chain on the same Redis.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { queryRows } from '../src/platform/db/index.js';
import { deleteRedisKeys } from '../test/support/services.js';
import { type CallCounts, callCounts, diffCounts, installCallCounter, sumCounts } from './call-counter.js';
import { noopChain, openNoopTasks } from './noop-tasks.js';
import { ROOT } from './processes.js';
import { rawChain } from './raw-bullmq-chain.js';
import { diffServers, readServers, type ServerReading } from './server-meters.js';

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

async function admin<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

interface BenchWorker {
  child: ChildProcess;
  /** The worker's counts so far (bench/call-counter.ts). */
  stats(): Promise<CallCounts>;
}

async function startWorker(args: string[], nodeArgs: string[]): Promise<BenchWorker> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'bench/noop-worker.ts', ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<(counts: CallCounts) => void> = [];
  const ready = Promise.withResolvers<void>();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line === 'ready') ready.resolve();
    else if (line.startsWith('stats ')) waiting.shift()?.(JSON.parse(line.slice(6)) as CallCounts);
  });
  child.once('exit', (code) => ready.reject(new Error(`bench worker exited with ${code}`)));
  await ready.promise;
  return {
    child,
    stats: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin?.write('stats\n');
      }),
  };
}

async function waitCompleted(db: Parameters<typeof queryRows>[0], n: number) {
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM tasks WHERE status = 'completed'`,
    );
    if ((row?.n ?? 0) >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface DistributedOptions {
  adminUrl: string;
  redisUrl: string;
  workers: number;
  tasks: number;
  latencyTasks: number;
  latencyRate: number;
  /** Options for each worker process' node (a CPU profile: --cpu-prof --cpu-prof-dir=…). */
  workerNodeArgs?: string[];
}

/** What one phase cost: CPU and calls per process (client side), and what the servers did. */
export interface PhaseCost {
  api: CallCounts;
  workers: CallCounts;
  servers: ServerReading;
}

/** One configuration: a fresh database, `workers` worker processes, a burst of tasks, then a paced run for latency. */
export async function benchBerthWorkers(options: DistributedOptions) {
  installCallCounter();
  const name = `berth_bench_${process.pid}_${options.workers}`;
  await admin(options.adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const prefix = `bench-${process.pid}-${options.workers}`;
  const api = await openNoopTasks({
    databaseUrl: url.toString(),
    redisUrl: options.redisUrl,
    prefix,
    concurrency: 1,
  });
  api.tasks.startRelay();
  const started = await Promise.allSettled(
    Array.from({ length: options.workers }, () =>
      startWorker([url.toString(), options.redisUrl, prefix, '8'], options.workerNodeArgs ?? []),
    ),
  );
  const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const submit = (i: number, tag: string) =>
      api.tasks.service.createPlanned(
        { tenantId: 'default', userId: 'bench', description: 'bench', requestId: `${tag}-${i}` },
        noopChain,
      );
    const workerCounts = async () => sumCounts(await Promise.all(workers.map((w) => w.stats())));
    const serversBefore = await readServers(options.redisUrl, options.adminUrl, name);
    const [apiBefore, workersBefore] = [callCounts(), await workerCounts()];
    const startedAt = performance.now();
    // 32 submitters, as many clients would: a burst of every task at once would only measure how
    // long requests queue for the api's 10 pooled connections (past 5 s they get 503 store_unavailable).
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < options.tasks) await submit(next++, 'burst');
      }),
    );
    await waitCompleted(api.store.db, options.tasks);
    const tasksPerSecond = options.tasks / ((performance.now() - startedAt) / 1000);
    const [apiAfter, workersAfter] = [callCounts(), await workerCounts()];
    // Backends report their statistics to pg_stat_database up to a second late.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const servers = diffServers(serversBefore, await readServers(options.redisUrl, options.adminUrl, name));
    const cost: PhaseCost = {
      api: diffCounts(apiBefore, apiAfter),
      workers: diffCounts(workersBefore, workersAfter),
      servers,
    };
    const commitsPerTask = servers.pgCommits / options.tasks;
    for (let i = 0; i < options.latencyTasks; i++) {
      await submit(i, 'paced');
      await new Promise((resolve) => setTimeout(resolve, 1000 / options.latencyRate));
    }
    await waitCompleted(api.store.db, options.tasks + options.latencyTasks);
    // Enqueue-to-pick-up: from when a step became runnable (task created, or its dependency finished) to its start.
    const latencies = (
      await queryRows<{ ms: number }>(
        api.store.db,
        sql`SELECT extract(epoch FROM (s.started_at - coalesce(prev.finished_at, t.created_at))) * 1000 AS ms
            FROM steps s JOIN tasks t ON t.id = s.task_id
            LEFT JOIN steps prev ON prev.task_id = s.task_id AND prev.key = s.depends_on[1]
            WHERE t.request_id LIKE 'paced-%'`,
      )
    ).map((r) => Number(r.ms));
    const [size] = await queryRows<{ bytes: string }>(
      api.store.db,
      sql`SELECT (pg_total_relation_size('tasks') + pg_total_relation_size('steps') + pg_total_relation_size('outbox'))::bigint AS bytes`,
    );
    const bytesPerTask = Number(size?.bytes ?? 0) / (options.tasks + options.latencyTasks);
    return {
      tasksPerSecond,
      commitsPerTask,
      bytesPerTask,
      cost,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
    };
  } finally {
    await Promise.all(
      workers.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        await once(child, 'exit');
      }),
    );
    await api.close();
    await admin(options.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // The machine's Redis is shared: remove only this run's keys.
    await deleteRedisKeys(options.redisUrl, prefix);
  }
}

export async function benchRawChain(options: DistributedOptions) {
  const prefix = `bench-raw-${process.pid}`;
  installCallCounter();
  const serversBefore = await readServers(options.redisUrl, options.adminUrl, 'postgres');
  const before = callCounts();
  const burst = await rawChain({ redisUrl: options.redisUrl, prefix, chains: options.tasks, concurrency: 8 });
  const client = diffCounts(before, callCounts());
  const servers = diffServers(
    serversBefore,
    await readServers(options.redisUrl, options.adminUrl, 'postgres'),
  );
  const paced = await rawChain({
    redisUrl: options.redisUrl,
    prefix,
    chains: options.latencyTasks,
    concurrency: 8,
    ratePerSecond: options.latencyRate,
  });
  return {
    chainsPerSecond: burst.chainsPerSecond,
    cost: { client, servers },
    p50: quantile(paced.latencies, 0.5),
    p99: quantile(paced.latencies, 0.99),
  };
}
