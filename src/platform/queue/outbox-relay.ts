import { ROOT_CONTEXT } from '@opentelemetry/api';
import { asc, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { inSpan, type Logger, withTraceContext } from '../telemetry/index.js';
import { outbox } from './outbox.tables.js';
import type { JobDefinition, Queue } from './queue.js';

export interface OutboxRelayOptions {
  db: Db;
  queue: Queue;
  /** The job catalogue: every job name the outbox may hold. */
  jobs: ReadonlyArray<JobDefinition<unknown>>;
  logger: Logger;
  /** How often the outbox is read when nothing kicks the relay (rows from other processes, delayed rows). Default 500 ms. */
  pollMs?: number;
  batchSize?: number;
}

/**
 * Moves committed outbox rows onto the queue. The row id is the job id, so a relay that dies
 * between enqueue and delete cannot create a second job; rows stay until the queue has them,
 * so while the queue is down new work waits here instead of being lost.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { db, queue, logger } = options;
  const jobs = new Map(options.jobs.map((job) => [job.name, job]));
  const batchSize = options.batchSize ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  /** The rows' jobs onto the queue: in bulk, one call per job name, where the queue can. */
  async function enqueueRows(rows: Array<typeof outbox.$inferSelect>): Promise<void> {
    const byName = new Map<string, typeof rows>();
    for (const row of rows) {
      if (!jobs.has(row.jobName)) throw new Error(`outbox row ${row.id} names unknown job "${row.jobName}"`);
      byName.set(row.jobName, [...(byName.get(row.jobName) ?? []), row]);
    }
    for (const [name, named] of byName) {
      const job = jobs.get(name) as JobDefinition<unknown>;
      const bulk = named.map((row) => ({
        payload: row.payload,
        options: { jobId: `outbox-${row.id}` },
        // Under the trace of the work that wrote the row (a request, a step), however much later this runs.
        traceContext: row.traceContext,
      }));
      if (queue.enqueueMany) {
        const enqueueMany = queue.enqueueMany.bind(queue);
        // Its own trace: the batch carries many tasks' jobs (each job's producer span sits in its row's trace).
        const attributes = {
          'messaging.operation.name': 'send',
          'messaging.batch.message_count': bulk.length,
        };
        await inSpan(`relay ${name}`, { attributes, parent: ROOT_CONTEXT }, () => enqueueMany(job, bulk));
      } else
        for (const one of bulk)
          await withTraceContext(one.traceContext, () => queue.enqueue(job, one.payload, one.options));
    }
  }

  /** Takes a batch of due rows (skipping those another relay holds), enqueues them, and commits their deletion. */
  async function relayBatch(): Promise<number> {
    return db.transaction(async (tx) => {
      const due = tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(sql`${outbox.availableAt} <= now()`)
        .orderBy(asc(outbox.id))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      const rows = await tx.delete(outbox).where(inArray(outbox.id, due)).returning();
      // The queue has them before the deletion commits; if it fails, the rows stay for the next pass.
      await enqueueRows(rows.sort((a, b) => a.id - b.id));
      return rows.length;
    });
  }

  async function drain() {
    do {
      again = false;
      try {
        while (!stopped && (await relayBatch()) === batchSize) {}
      } catch (error) {
        logger.warn({ err: error }, 'outbox relay could not move jobs to the queue; retrying');
      }
    } while (again && !stopped);
    running = undefined;
  }

  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain();
  };

  return {
    /** Relays now (call after committing outbox rows). */
    kick,
    start() {
      timer = setInterval(kick, options.pollMs ?? 500);
      timer.unref();
      kick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
