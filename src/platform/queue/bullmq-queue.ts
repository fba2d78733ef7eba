import { type Job as BullJob, Queue as BullQueue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createLogger, type Logger, type TraceCarrier, withTraceContext } from '../telemetry/index.js';
import { type ManagedConsumer, WorkerConsumer } from './bullmq-consumer.js';
import { encodeJobId } from './bullmq-ids.js';
import {
  type ErrorReport,
  errorReport,
  producerConnection,
  redisAddress,
  whenReady,
} from './bullmq-redis.js';
import { settlesWithin, withDeadline } from './bullmq-timing.js';
import { assertDefinition, serialisePayload } from './job-payload.js';
import { traceEnqueue } from './job-tracing.js';
import type {
  BulkJob,
  ConsumeOptions,
  Consumer,
  EnqueueOptions,
  JobDefinition,
  JobHandler,
  Queue,
  QueueDepth,
} from './queue.js';
import { MAX_DELAY_MS } from './retry-delay.js';

export interface BullmqQueueOptions {
  /** Redis URL (`redis://` or `rediss://`). */
  connection: string;
  /** Prefix of every Redis key: a job name's wait list is `<prefix>:<name>:wait`. Default 'berth'. */
  prefix?: string;
  /** Where errors from BullMQ and ioredis go. Default: a silent logger. */
  logger?: Logger;
  /** Lock duration of an active job (renewed at half of it while the handler runs). Default 30 s. */
  lockDurationMs?: number;
  /** Stalled-job check interval. Default 5 s (BullMQ's 30 s default is too slow for our 15 s recovery goal). */
  stalledIntervalMs?: number;
  /** How long `enqueue` and `depth` wait for Redis before rejecting. Default 2 s. */
  commandTimeoutMs?: number;
  /** How long a handler may run on after its timeout aborted its signal before the delivery fails. Default 2 s. */
  abandonGraceMs?: number;
  /** Source of retry jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Failed jobs kept per job name, as ids with their error, for inspection and `depth().failed`. */
const KEEP_FAILED = 1000;
/** Every job retries through the Worker's backoff strategy (retryDelayMs), whatever BullMQ's built-ins do. */
const BACKOFF_TYPE = 'berth';

export function createBullmqQueue(options: BullmqQueueOptions): Queue {
  return new RedisQueue(options);
}

/**
 * BullMQ on Redis: one BullMQ Queue (producer side) and at most one Worker per job name, so
 * concurrency is per name and each name has its own wait list for KEDA to read.
 */
class RedisQueue implements Queue {
  readonly kind = 'bullmq';
  private readonly url: string;
  private readonly address: string;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly report: ErrorReport;
  private readonly producer: Redis;
  private readonly queues = new Map<string, BullQueue>();
  /** The consumer of each job name, until its stop() is called. */
  private readonly consumers = new Map<string, ManagedConsumer>();
  /** Every consumer until it has stopped, for close() to wait on. */
  private readonly live = new Set<ManagedConsumer>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullmqQueueOptions) {
    this.url = options.connection;
    this.address = redisAddress(this.url);
    this.prefix = options.prefix ?? 'berth';
    this.timeoutMs = options.commandTimeoutMs ?? 2_000;
    const logger = options.logger ?? createLogger('silent');
    this.report = errorReport(logger, { component: 'queue', redis: this.address });
    this.producer = producerConnection(this.url, this.timeoutMs, this.report);
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: EnqueueOptions): Promise<void> {
    const { name } = definition;
    if (this.closed) throw new Error(`queue is closed: cannot enqueue job "${name}"`);
    assertDefinition(definition);
    const data: unknown = JSON.parse(serialisePayload(definition, payload));
    const delayMs = checkEnqueueOptions(name, options);
    await traceEnqueue('bullmq', name, options.jobId, (carrier) =>
      this.onRedis(`enqueue job "${name}"`, async (signal) => {
        await whenReady(this.producer, signal);
        await this.add(definition, data, encodeJobId(options.jobId), delayMs, carrier);
      }),
    );
  }

  async enqueueMany<P>(definition: JobDefinition<P>, jobs: ReadonlyArray<BulkJob<P>>): Promise<void> {
    const { name } = definition;
    if (this.closed) throw new Error(`queue is closed: cannot enqueue job "${name}"`);
    assertDefinition(definition);
    const prepared = jobs.map((job) => ({
      id: job.options.jobId,
      data: JSON.parse(serialisePayload(definition, job.payload)) as unknown,
      delayMs: checkEnqueueOptions(name, job.options),
      traceContext: job.traceContext,
    }));
    if (prepared.length === 0) return;
    // Each job keeps its own PRODUCER span, under its own trace; they all end when the one bulk add has.
    const carriers: Array<TraceCarrier | undefined> = [];
    const collected = Promise.withResolvers<void>();
    const sent = Promise.withResolvers<void>();
    let count = 0;
    const spans = prepared.map((job, i) => {
      const span = () =>
        traceEnqueue('bullmq', name, job.id, (carrier) => {
          carriers[i] = carrier;
          if (++count === prepared.length) collected.resolve();
          return sent.promise;
        });
      return job.traceContext === undefined ? span() : withTraceContext(job.traceContext, span);
    });
    await collected.promise;
    await this.onRedis(`enqueue ${prepared.length} jobs "${name}"`, async (signal) => {
      await whenReady(this.producer, signal);
      const bulk = prepared.map((job, i) => ({ ...job, id: encodeJobId(job.id), trace: carriers[i] }));
      await this.addBulk(definition, bulk);
    }).then(sent.resolve, sent.reject);
    await Promise.all(spans);
  }

  /** Runs `work` within the command timeout; its failure names Redis' address (ioredis' messages do not). */
  private async onRedis<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timedOut = `no answer within ${this.timeoutMs} ms`;
    try {
      return await withDeadline(this.timeoutMs, timedOut, work);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`could not ${what} on Redis at ${this.address}: ${reason}`, { cause: error });
    }
  }

  /**
   * BullMQ's add is a no-op while a job with that id exists in any state, and failed jobs are
   * kept, so a failed one is removed first. A job that fails between the check and the add keeps
   * its failed state: the reconciler re-enqueues its step.
   */
  private async add(
    definition: JobDefinition<unknown>,
    data: unknown,
    jobId: string,
    delayMs: number,
    trace: TraceCarrier | undefined,
  ) {
    const queue = await this.queueOf(definition.name);
    if ((await this.producer.zscore(queue.keys.failed ?? '', jobId)) !== null) await queue.remove(jobId);
    await queue.add(definition.name, data, jobOptions(definition, jobId, delayMs, trace));
  }

  /** `add` for many jobs: one pipelined look at the failed set, then one MULTI of every add. */
  private async addBulk(
    definition: JobDefinition<unknown>,
    jobs: ReadonlyArray<{ id: string; data: unknown; delayMs: number; trace: TraceCarrier | undefined }>,
  ) {
    const queue = await this.queueOf(definition.name);
    const failedKey = queue.keys.failed ?? '';
    const scores =
      (await this.producer.pipeline(jobs.map((job) => ['zscore', failedKey, job.id])).exec()) ?? [];
    for (const [i, [error, score]] of scores.entries()) {
      if (error) throw error;
      const job = jobs[i];
      if (score !== null && job) await queue.remove(job.id);
    }
    await queue.addBulk(
      jobs.map((job) => ({
        name: definition.name,
        data: job.data,
        opts: jobOptions(definition, job.id, job.delayMs, job.trace),
      })),
    );
  }

  consume<P>(definition: JobDefinition<P>, handler: JobHandler<P>, options: ConsumeOptions): Consumer {
    const { name } = definition;
    if (this.closed) throw new Error(`queue is closed: cannot consume job "${name}"`);
    assertDefinition(definition);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`job "${name}": concurrency must be an integer ≥ 1`);
    }
    if (this.consumers.has(name)) throw new Error(`job "${name}" already has a consumer on this queue`);
    const settings = this.consumerSettings(options);
    const consumer: ManagedConsumer = new WorkerConsumer(definition, handler, settings, () => {
      if (this.consumers.get(name) === consumer) this.consumers.delete(name);
    });
    this.consumers.set(name, consumer);
    this.live.add(consumer);
    return { stop: () => consumer.stop().finally(() => this.live.delete(consumer)) };
  }

  async depth(definition: JobDefinition<unknown>): Promise<QueueDepth> {
    return this.onRedis(`read the depth of job "${definition.name}"`, async (signal) => {
      await whenReady(this.producer, signal);
      const queue = await this.queueOf(definition.name);
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      const [oldest] = (counts.waiting ?? 0) > 0 ? await queue.getWaiting(0, 0) : [];
      return {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        oldestWaitingMs: oldest ? Math.max(0, Date.now() - readyAt(oldest)) : null,
      };
    });
  }

  close(graceMs = 10_000): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutDown(graceMs);
    return this.closing;
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.consumers.clear();
    await Promise.all([...this.live].map((consumer) => consumer.shutDown(graceMs)));
    this.live.clear();
    const queues = [...this.queues.values()].map((queue) => queue.close());
    await settlesWithin(Promise.all(queues), this.timeoutMs);
    this.producer.disconnect();
  }

  /**
   * The BullMQ Queue of a job name, once its connection setup is done. That setup runs once (it
   * reads Redis' version as soon as the connection is ready), and if Redis drops in between it
   * fails for good: such a Queue is replaced instead of failing every later call.
   */
  private async queueOf(name: string): Promise<BullQueue> {
    const existing = this.queues.get(name);
    try {
      if (existing) return await existing.waitUntilReady().then(() => existing);
    } catch {
      this.queues.delete(name);
      existing?.close().catch(() => {});
    }
    const queue = new BullQueue(name, { connection: this.producer, prefix: this.prefix });
    queue.on('error', this.report);
    this.queues.set(name, queue);
    await queue.waitUntilReady();
    return queue;
  }

  private consumerSettings(options: ConsumeOptions) {
    return {
      url: this.url,
      prefix: this.prefix,
      concurrency: options.concurrency,
      lockDurationMs: this.options.lockDurationMs ?? 30_000,
      stalledIntervalMs: this.options.stalledIntervalMs ?? 5_000,
      abandonGraceMs: this.options.abandonGraceMs ?? 2_000,
      random: this.options.random ?? Math.random,
      report: this.report,
    };
  }
}

function jobOptions(
  definition: JobDefinition<unknown>,
  jobId: string,
  delayMs: number,
  trace: TraceCarrier | undefined,
) {
  return {
    jobId,
    delay: delayMs,
    attempts: definition.attempts,
    backoff: { type: BACKOFF_TYPE, delay: definition.backoffMs },
    removeOnComplete: true,
    removeOnFail: { count: KEEP_FAILED },
    // BullMQ's own slot for a trace context, kept with the job; read back by the consumer (job-tracing.ts).
    ...(trace ? { telemetry: { metadata: JSON.stringify(trace) } } : {}),
  };
}

/**
 * When a waiting job became ready: its enqueue, plus its delay (a delayed job, or a retry's
 * backoff, which BullMQ stores as the job's delay) counted from its last attempt if it had one.
 */
function readyAt(job: BullJob): number {
  const delay = job.delay ?? 0;
  return Math.max(job.timestamp + delay, (job.finishedOn ?? job.processedOn ?? 0) + delay);
}

function checkEnqueueOptions(name: string, options: EnqueueOptions): number {
  const { jobId, delayMs = 0 } = options;
  if (typeof jobId !== 'string' || jobId === '') {
    throw new Error(`job "${name}": jobId must be a non-empty string`);
  }
  if (!Number.isFinite(delayMs) || delayMs > MAX_DELAY_MS) {
    throw new Error(`job "${name}": delayMs must be a finite number ≤ ${MAX_DELAY_MS}`);
  }
  return Math.max(0, delayMs);
}
