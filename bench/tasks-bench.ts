// Tasks in one process on PGlite: end-to-end throughput and step pick-up latency with no-op tools,
// next to the baseline of PGlite's own transaction rate divided by the transactions a task needs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/app/config.js';
import { llmOptions } from '../src/app.js';
import { createAgentCatalog } from '../src/modules/agents/index.js';
import type { ApprovalEvent } from '../src/modules/approvals/index.js';
import { createLlmRegistry } from '../src/modules/llm/index.js';
import { createTasksModule, type TaskEvent } from '../src/modules/tasks/index.js';
import { ToolRegistry } from '../src/modules/tools/index.js';
import { ensurePgliteTemplate, openPgliteStore, queryRows, type Store } from '../src/platform/db/index.js';
import { createEventBus } from '../src/platform/events/index.js';
import { createInProcessQueue } from '../src/platform/queue/index.js';
import { createLogger, createMetricsRegistry } from '../src/platform/telemetry/index.js';
import { noop, noopChain } from './noop-tasks.js';
import { ROOT } from './processes.js';

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

/** PGlite's rate for one representative write transaction (insert a row, update a row, commit). */
async function baselineTxPerSecond(store: Store, seconds: number): Promise<number> {
  await store.db.execute(sql`CREATE TABLE bench_tx (id serial PRIMARY KEY, n int NOT NULL)`);
  await store.db.execute(sql`INSERT INTO bench_tx (n) VALUES (0)`);
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < seconds * 1000) {
    await store.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO bench_tx (n) VALUES (${n})`);
      await tx.execute(sql`UPDATE bench_tx SET n = n + 1 WHERE id = 1`);
    });
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

/** PGlite's write transactions/s on a fresh store of its own (the reference of the chat and task figures). */
export async function pgliteTxPerSecond(seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-tx-'));
  const template = await ensurePgliteTemplate(join(ROOT, 'node_modules/.cache/berth/bench-template.tar.gz'));
  const store = await openPgliteStore({ dataDir: dir, templatePath: template });
  try {
    return await baselineTxPerSecond(store, seconds);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface StoreCounts {
  transactions: number;
  /** Round trips into PGlite: statements, and a transaction's BEGIN and COMMIT. */
  calls: number;
}

/**
 * Counts the transactions and the calls into PGlite the store makes, to report them per task: a
 * call costs about the same whatever it does (the commit is not what is dear), so calls per task
 * is what bounds tasks/s against PGlite's transaction rate.
 */
function countStore(store: Store): () => StoreCounts {
  const counts = { transactions: 0, calls: 0 };
  const client = (store.db as unknown as { $client: PGlite }).$client;
  const countCalls = (target: Pick<PGlite, 'query' | 'exec'>) => {
    const { query, exec } = target;
    target.query = ((...args: unknown[]) => {
      counts.calls++;
      return (query as (...a: unknown[]) => unknown).apply(target, args);
    }) as PGlite['query'];
    target.exec = ((...args: unknown[]) => {
      counts.calls++;
      return (exec as (...a: unknown[]) => unknown).apply(target, args);
    }) as PGlite['exec'];
  };
  countCalls(client);
  const transaction = client.transaction.bind(client);
  client.transaction = ((run: Parameters<PGlite['transaction']>[0]) => {
    counts.transactions++;
    counts.calls += 2;
    return transaction((tx) => {
      countCalls(tx);
      return run(tx);
    });
  }) as PGlite['transaction'];
  return () => ({ ...counts });
}

/** From the moment a step could run (its task created, or its dependency finished) to its start, in ms. */
async function pickupLatencies(store: Store): Promise<number[]> {
  const rows = await queryRows<{ ms: number }>(
    store.db,
    sql`SELECT extract(epoch FROM (s.started_at - coalesce(prev.finished_at, t.created_at))) * 1000 AS ms
        FROM steps s JOIN tasks t ON t.id = s.task_id
        LEFT JOIN steps prev ON prev.task_id = s.task_id AND prev.key = s.depends_on[1]`,
  );
  return rows.map((r) => Number(r.ms));
}

export async function benchTasks(options: {
  tasks: number;
  latencyTasks: number;
  concurrency: number;
  seconds: number;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-tasks-'));
  const template = await ensurePgliteTemplate(join(ROOT, 'node_modules/.cache/berth/bench-template.tar.gz'));
  const store = await openPgliteStore({ dataDir: dir, templatePath: template });
  await store.migrate();
  const counts = countStore(store);
  const config = loadConfig({ env: {}, cwd: dir });
  if (!config.ok) throw config.error;
  const metrics = createMetricsRegistry();
  const logger = createLogger('warn');
  const tools = new ToolRegistry([noop]);
  const catalog = createAgentCatalog(config.value, tools.list());
  if (!catalog.ok) throw catalog.error;
  const queue = createInProcessQueue();
  // Finished tasks counted from the module's own events: polling the store would compete with it.
  const bus = createEventBus<TaskEvent | ApprovalEvent>();
  let finished = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  bus.subscribe('task.finished', () => {
    finished++;
    for (const w of waiters.filter((w) => finished >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const llm = createLlmRegistry({ options: llmOptions(config.value), metrics, logger });
  const tasks = createTasksModule({
    ...{ db: store.db, queue, llm, agents: catalog.value, tools, metrics, logger, bus },
    ...{
      workerConcurrency: options.concurrency,
      maxStepAttempts: 3,
      maxDescriptionChars: 1000,
      exclusiveStore: true,
    },
  });
  await tasks.startWorker();
  const waitFor = (n: number) =>
    finished >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }));
  // Latency: one task at a time, so a step's wait is the pick-up itself, not a queue of other work.
  for (let i = 0; i < options.latencyTasks; i++) {
    await tasks.service.createPlanned(
      { tenantId: 'default', userId: 'bench', description: 'bench', requestId: `latency-${i}` },
      noopChain,
    );
    await waitFor(i + 1);
  }
  const latencies = await pickupLatencies(store);
  // Throughput: a burst of tasks, all in flight together.
  const before = counts();
  const started = performance.now();
  for (let i = 0; i < options.tasks; i++) {
    await tasks.service.createPlanned(
      { tenantId: 'default', userId: 'bench', description: 'bench', requestId: `bench-${i}` },
      noopChain,
    );
  }
  await waitFor(options.latencyTasks + options.tasks);
  const elapsed = (performance.now() - started) / 1000;
  const after = counts();
  const txPerTask = (after.transactions - before.transactions) / options.tasks;
  const callsPerTask = (after.calls - before.calls) / options.tasks;
  await tasks.stop();
  await queue.close(1_000);
  const baselineTx = await baselineTxPerSecond(store, options.seconds);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    tasksPerSecond: options.tasks / elapsed,
    txPerTask,
    callsPerTask,
    baselineTx,
    baselineTasksPerSecond: baselineTx / txPerTask,
    pickupP50: quantile(latencies, 0.5),
    pickupP99: quantile(latencies, 0.99),
  };
}
