// `npm run bench [-- --only chat|tasks|distributed] [--json] [--write]`: Berth's start-up, memory,
// chat, embedded-task and distributed-task figures, each next to a reference measured in the same run.
// With --json the last line of stdout is every figure as one JSON object.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { type Breakdown, breakdownRows, perTask } from './breakdown.js';
import { apiIdleRss, type ChatBenchOptions, chatThroughput, coldStarts, withDatabase } from './chat-bench.js';
import { benchBerthWorkers, benchRawChain } from './distributed-bench.js';
import { ROOT } from './processes.js';
import { benchTasks, pgliteTxPerSecond } from './tasks-bench.js';

const PARTS = ['chat', 'tasks', 'distributed'] as const;
type Part = (typeof PARTS)[number];

const program = new Command('bench')
  .description('Berth benchmarks, each figure beside a reference measured in the same run')
  .addOption(new Option('--only <part>', 'run one part').choices(PARTS))
  .option('--json', 'print every figure as one JSON object on the last line')
  .option('--write', 'replace bench/RESULTS.md with this run (also BENCH_WRITE=1)')
  .option('--seconds <n>', 'seconds per HTTP load target', process.env.BENCH_SECONDS ?? '10')
  .option('--connections <n>', 'HTTP connections', process.env.BENCH_CONNECTIONS ?? '10')
  .option(
    '--log-level <level>',
    "Berth's LOG_LEVEL under load (its default is info)",
    process.env.BENCH_LOG_LEVEL ?? 'info',
  )
  .option('--tasks <n>', 'embedded tasks in the burst', process.env.BENCH_TASKS ?? '500')
  .option(
    '--distributed-tasks <n>',
    'distributed tasks in the burst',
    process.env.BENCH_DISTRIBUTED_TASKS ?? '600',
  )
  .option('--workers <list>', 'worker-process counts of the distributed part', '1,2,4')
  .option('--worker-node-arg <arg...>', "options for each distributed worker's node (e.g. --cpu-prof)")
  .parse();
const opts = program.opts<{
  only?: Part;
  json?: boolean;
  write?: boolean;
  seconds: string;
  connections: string;
  logLevel: string;
  tasks: string;
  distributedTasks: string;
  workers: string;
  workerNodeArg?: string[];
}>();

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const runs = (part: Part) => opts.only === undefined || opts.only === part;
const date = new Date().toISOString().slice(0, 10);
const figures: Record<string, unknown> = { date };
const sections: string[] = [];

async function chatPart() {
  // `berth start` runs the bundle: build it, or the figures are those of whatever tree built it last.
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
  const chat: ChatBenchOptions = {
    durationS: Number(opts.seconds),
    connections: Number(opts.connections),
    logLevel: opts.logLevel,
    adminUrl: ADMIN_URL,
    redisUrl: REDIS_URL,
  };
  const starts = await coldStarts(3);
  const pglite = await chatThroughput(chat);
  const txPerSecond = await pgliteTxPerSecond(5);
  const postgres = await withDatabase(ADMIN_URL, 'chat', (url) =>
    chatThroughput(chat, { DATABASE_URL: url }),
  );
  const apiRss = await apiIdleRss(chat);
  Object.assign(figures, {
    cold_start_new_ms: round(starts.fresh, 0),
    cold_start_existing_ms: round(starts.existing, 0),
    idle_rss_mib: round(pglite.idleRss, 1),
    loaded_rss_mib: round(pglite.loadedRss, 1),
    api_rss_mib: apiRss === undefined ? null : round(apiRss, 1),
    chat_reference_rps: round(pglite.reference.rps, 0),
    chat_pglite_rps: round(pglite.chat.rps, 0),
    chat_pglite_p99_ms: pglite.chat.p99,
    chat_pglite_cpu_ms_per_request: round(pglite.chat.cpuMsPerRequest, 3),
    chat_reference_cpu_ms_per_request: round(pglite.reference.cpuMsPerRequest, 3),
    pglite_tx_per_s: round(txPerSecond, 0),
    chat_pglite_vs_tx: round(pglite.chat.rps / txPerSecond),
    chat_pglite_ratio: round(pglite.chat.rps / pglite.reference.rps, 4),
    chat_postgres_rps: postgres ? round(postgres.chat.rps, 0) : null,
    chat_postgres_p99_ms: postgres ? postgres.chat.p99 : null,
    chat_postgres_cpu_ms_per_request: postgres ? round(postgres.chat.cpuMsPerRequest, 3) : null,
    chat_postgres_reference_rps: postgres ? round(postgres.reference.rps, 0) : null,
    chat_postgres_ratio: postgres ? round(postgres.chat.rps / postgres.reference.rps, 4) : null,
  });
  const rows = [
    `| cold start to /readyz, new data dir (from the shipped template) | ${fmt(starts.fresh)} ms |`,
    `| cold start to /readyz, existing data dir | ${fmt(starts.existing)} ms |`,
    `| idle RSS after start (PGlite) | ${fmt(pglite.idleRss)} MiB |`,
    `| RSS after the chat load (PGlite) | ${fmt(pglite.loadedRss)} MiB |`,
    `| idle RSS of \`berth api\` (Postgres + Redis) | ${apiRss === undefined ? 'not measured' : `${fmt(apiRss)} MiB`} |`,
    `| bare Fastify hello-world (reference) | ${fmt(pglite.reference.rps)} req/s, p99 ${pglite.reference.p99} ms, ${fmt(pglite.reference.cpuMsPerRequest, 3)} ms CPU per request |`,
    `| PGlite write transactions (insert + update + commit), sequential (reference) | ${fmt(txPerSecond)} tx/s |`,
    `| POST /api/chat, offline model, PGlite | ${fmt(pglite.chat.rps)} req/s, p99 ${pglite.chat.p99} ms, ${pglite.chat.errors} errors, ${fmt(pglite.chat.cpuMsPerRequest, 2)} ms CPU per request in Berth's process — **${fmt((100 * pglite.chat.rps) / pglite.reference.rps, 1)} %** of the reference, **${fmt(pglite.chat.rps / txPerSecond, 2)}×** PGlite's tx/s |`,
  ];
  if (postgres)
    rows.push(
      `| bare Fastify hello-world (reference, second run) | ${fmt(postgres.reference.rps)} req/s |`,
      `| POST /api/chat, offline model, Postgres | ${fmt(postgres.chat.rps)} req/s, p99 ${postgres.chat.p99} ms, ${postgres.chat.errors} errors, ${fmt(postgres.chat.cpuMsPerRequest, 2)} ms CPU per request in Berth's process — **${fmt((100 * postgres.chat.rps) / postgres.reference.rps, 1)} %** of the reference |`,
    );
  sections.push(
    `## Core service — ${date}`,
    '',
    `Load: autocannon in the bench process, ${chat.connections} connections, ${chat.durationS} s per target, each server in its own process, LOG_LEVEL=${chat.logLevel}; every chat request starts a new conversation and writes two messages.`,
    '',
    '| what | result |',
    '|---|---|',
    ...rows,
    '',
  );
}

async function tasksPart() {
  const n = Number(opts.tasks);
  const tasks = await benchTasks({ tasks: n, latencyTasks: 100, concurrency: 4, seconds: 5 });
  Object.assign(figures, {
    tasks_embedded_per_s: round(tasks.tasksPerSecond, 1),
    tasks_embedded_tx_per_s: round(tasks.baselineTx, 0),
    tasks_embedded_vs_tx: round(tasks.tasksPerSecond / tasks.baselineTx, 4),
    tasks_embedded_tx_per_task: round(tasks.txPerTask, 2),
    tasks_embedded_calls_per_task: round(tasks.callsPerTask, 2),
    tasks_embedded_pickup_p50_ms: round(tasks.pickupP50, 1),
    tasks_embedded_pickup_p99_ms: round(tasks.pickupP99, 1),
  });
  sections.push(
    `## Tasks in one process (PGlite) — ${date}`,
    '',
    'A task of three no-op steps in a chain (a → b → c) goes through the real path: task and outbox rows in one transaction, the outbox relay, the in-process queue, the step runner (claim, run the tool through the registry, record and ready the next step in one transaction).',
    '',
    '| what | result |',
    '|---|---|',
    `| PGlite write transactions (insert + update + commit), sequential — the baseline | ${fmt(tasks.baselineTx)} tx/s |`,
    `| transactions per task (3 no-op steps: create, claim/record each step, outbox relay) | ${fmt(tasks.txPerTask, 2)} |`,
    `| calls into PGlite per task (statements, BEGIN and COMMIT; the reference's transaction is 4) | ${fmt(tasks.callsPerTask, 2)} |`,
    `| end-to-end tasks/s, 3 no-op steps, one process, 4 workers, ${n} tasks in a burst | ${fmt(tasks.tasksPerSecond, 1)} tasks/s — **${fmt(tasks.tasksPerSecond / tasks.baselineTx, 3)}×** PGlite's tx/s (${fmt((100 * tasks.tasksPerSecond * tasks.txPerTask) / tasks.baselineTx, 1)} % of tx/s ÷ tx per task) |`,
    `| step pick-up latency (ready → started), one task at a time, p50 / p99 | ${fmt(tasks.pickupP50, 1)} ms / ${fmt(tasks.pickupP99, 1)} ms |`,
    '',
  );
}

async function distributedPart() {
  const base = {
    adminUrl: ADMIN_URL,
    redisUrl: REDIS_URL,
    tasks: Number(opts.distributedTasks),
    latencyTasks: 150,
    latencyRate: 20,
    workerNodeArgs: opts.workerNodeArg,
  };
  let raw: Awaited<ReturnType<typeof benchRawChain>>;
  try {
    raw = await benchRawChain({ ...base, workers: 1 });
  } catch (error) {
    sections.push(`## Distributed mode — ${date}`, '', `Not measured: ${(error as Error).message}`, '');
    return;
  }
  const rows = [
    `| raw BullMQ, the same three-job chain, no-op handlers, concurrency 8, one process (the ceiling) | ${fmt(raw.chainsPerSecond)} chains/s; pick-up p50 ${fmt(raw.p50, 1)} ms, p99 ${fmt(raw.p99, 1)} ms at ${base.latencyRate} chains/s |`,
  ];
  const ratio: Record<string, number> = {};
  const perSecond: Record<string, number> = {};
  let breakdown: Breakdown | undefined;
  const breakdowns: Record<string, Breakdown['berth']> = {};
  let pickupRatio = Number.NaN;
  for (const workers of opts.workers.split(',').map(Number)) {
    const r = await benchBerthWorkers({ ...base, workers });
    ratio[workers] = round(r.tasksPerSecond / raw.chainsPerSecond, 4);
    perSecond[workers] = round(r.tasksPerSecond, 1);
    const rawP99 = Math.max(raw.p99, 1);
    breakdowns[workers] = perTask(r, raw, base.tasks).berth;
    if (breakdown === undefined) {
      breakdown = perTask(r, raw, base.tasks);
      pickupRatio = r.p99 / rawP99;
      figures.pickup_p99_ms = round(r.p99, 1);
      figures.raw_pickup_p99_ms = round(raw.p99, 1);
    }
    rows.push(
      `| Berth, ${workers} worker process${workers > 1 ? 'es' : ''} (concurrency 8 each) | ${fmt(r.tasksPerSecond, 1)} tasks/s — **${fmt(100 * ratio[workers], 1)} %** of raw; ${fmt(r.commitsPerTask, 1)} commits/task; CPU ${fmt((r.cost.api.cpuMs + r.cost.workers.cpuMs) / base.tasks, 2)} ms/task in Berth's processes, ${fmt(r.cost.servers.pgCpuMs / base.tasks, 2)} in Postgres; pick-up p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms at ${base.latencyRate} tasks/s (${fmt(r.p50 / Math.max(raw.p50, 1), 1)}× / ${fmt(r.p99 / rawP99, 1)}× raw, raw taken as at least 1 ms: BullMQ's timestamps are whole ms) |`,
    );
  }
  Object.assign(figures, {
    raw_chains_per_s: round(raw.chainsPerSecond, 0),
    distributed_tasks_per_s: perSecond,
    distributed_ratio: ratio,
    pickup_p99_ratio: round(pickupRatio, 2),
    breakdown,
    breakdown_by_workers: breakdowns,
  });
  sections.push(
    `## Distributed mode (Postgres + Redis) — ${date}`,
    '',
    `Tasks of three no-op steps (a → b → c) submitted by the bench process (the api side: task, steps and outbox in one transaction, outbox relay to BullMQ), run by separate worker processes, task events over LISTEN/NOTIFY as a deployment has them; ${base.tasks} tasks in a burst for throughput, then ${base.latencyTasks} at ${base.latencyRate}/s for latency. Commits are Postgres' own count (pg_stat_database.xact_commit, read-only statements included).`,
    '',
    '| what | result |',
    '|---|---|',
    ...rows,
    '',
    ...(breakdown ? breakdownRows(breakdown, date) : []),
  );
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
figures.machine = machine;
if (runs('chat')) await chatPart();
if (runs('tasks')) await tasksPart();
if (runs('distributed')) await distributedPart();
const report = [`Machine: ${machine}.`, '', ...sections].join('\n');
process.stdout.write(`${report}\n`);
if (opts.write || process.env.BENCH_WRITE)
  writeFileSync(join(ROOT, 'bench/RESULTS.md'), `# Benchmark results\n\n${report}`);
if (opts.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
