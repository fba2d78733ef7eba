import { withTraceContext } from '../telemetry/index.js';
import {
  createLane,
  isQueued,
  type JobLane,
  laneDepth,
  nextWaiting,
  type QueuedJob,
  recordFailure,
} from './job-lane.js';
import { assertDefinition, parsePayload, serialisePayload } from './job-payload.js';
import { traceDelivery, traceEnqueue } from './job-tracing.js';
import {
  type BulkJob,
  type ConsumeOptions,
  type Consumer,
  type EnqueueOptions,
  type JobDefinition,
  type JobHandler,
  PermanentJobError,
  type Queue,
  type QueueDepth,
} from './queue.js';
import { MAX_DELAY_MS, retryDelayMs } from './retry-delay.js';
import { type DeliveryOutcome, later, runHandler } from './run-handler.js';

export interface InProcessQueueOptions {
  /** Clock for `oldestWaitingMs`. Default `Date.now`. */
  now?: () => number;
  /** Source of retry jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Failed job ids remembered per job name (what `depth().failed` counts); older ones are forgotten. Default 1000. */
  keepFailed?: number;
  /** How long a handler may run on after its timeout aborted its signal before the delivery fails. Default 2000. */
  abandonGraceMs?: number;
}

/** The embedded-mode queue; see InProcessQueue. */
export function createInProcessQueue(options: InProcessQueueOptions = {}): Queue {
  return new InProcessQueue(options);
}

interface LaneConsumer {
  concurrency: number;
  attempts: number;
  backoffMs: number;
  /** One promise per delivery it started, removed once that delivery is settled. */
  running: Set<Promise<void>>;
  run(job: QueuedJob, controller: AbortController): Promise<DeliveryOutcome>;
}

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Memory only. Its durability is the store's: every job Berth enqueues stands for a store row,
 * and the reconciler re-enqueues unfinished rows at start, so what a crash loses here is found
 * again there. Scheduling is event-driven (an enqueue, a delay's timer, a handler settling);
 * nothing polls.
 */
class InProcessQueue implements Queue {
  readonly kind = 'in-process';
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly keepFailed: number;
  private readonly abandonGraceMs: number;
  private readonly lanes = new Map<string, JobLane>();
  private readonly consumers = new Map<string, LaneConsumer>();
  private readonly inFlight = new Set<InFlight>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: InProcessQueueOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.keepFailed = options.keepFailed ?? 1000;
    this.abandonGraceMs = options.abandonGraceMs ?? 2000;
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: EnqueueOptions): Promise<void> {
    if (this.closed) throw new Error(`queue is closed: cannot enqueue job "${definition.name}"`);
    assertDefinition(definition);
    const data = serialisePayload(definition, payload);
    const delayMs = checkEnqueueOptions(definition.name, options);
    const lane = this.laneOf(definition.name);
    await traceEnqueue('berth.in_process', definition.name, options.jobId, async (trace) => {
      if (isQueued(lane, options.jobId)) return;
      lane.failed.delete(options.jobId);
      this.schedule(lane, { id: options.jobId, data, deliveries: 0, readyAt: 0, trace }, delayMs);
    });
  }

  async enqueueMany<P>(definition: JobDefinition<P>, jobs: ReadonlyArray<BulkJob<P>>): Promise<void> {
    // In memory an enqueue is no round trip: one by one is already the cheapest.
    for (const job of jobs) {
      const enqueue = () => this.enqueue(definition, job.payload, job.options);
      await (job.traceContext === undefined ? enqueue() : withTraceContext(job.traceContext, enqueue));
    }
  }

  consume<P>(definition: JobDefinition<P>, handler: JobHandler<P>, options: ConsumeOptions): Consumer {
    const { name } = definition;
    if (this.closed) throw new Error(`queue is closed: cannot consume job "${name}"`);
    assertDefinition(definition);
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`job "${name}": concurrency must be an integer ≥ 1`);
    }
    if (this.consumers.has(name)) throw new Error(`job "${name}" already has a consumer on this queue`);
    const consumer = this.laneConsumer(definition, handler, options.concurrency);
    this.consumers.set(name, consumer);
    this.pump(this.laneOf(name));
    return {
      stop: async () => {
        if (this.consumers.get(name) === consumer) this.consumers.delete(name);
        await Promise.all(consumer.running);
      },
    };
  }

  async depth(definition: JobDefinition<unknown>): Promise<QueueDepth> {
    return laneDepth(this.lanes.get(definition.name) ?? createLane(definition.name), this.now());
  }

  close(graceMs = 10_000): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutDown(graceMs);
    return this.closing;
  }

  private laneOf(name: string): JobLane {
    const existing = this.lanes.get(name);
    if (existing) return existing;
    const lane = createLane(name);
    this.lanes.set(name, lane);
    return lane;
  }

  private laneConsumer<P>(definition: JobDefinition<P>, handler: JobHandler<P>, concurrency: number) {
    const limits = { timeoutMs: definition.timeoutMs, abandonGraceMs: this.abandonGraceMs };
    const consumer: LaneConsumer = {
      concurrency,
      attempts: definition.attempts,
      backoffMs: definition.backoffMs,
      running: new Set(),
      run(job, controller) {
        const payload = parsePayload(definition, job.data);
        if (!payload.ok) return Promise.resolve({ ok: false, error: payload.error });
        const delivered = {
          id: job.id,
          name: definition.name,
          payload: payload.value,
          attempt: job.deliveries,
        };
        return traceDelivery('berth.in_process', delivered, job.trace, () =>
          runHandler(handler, delivered, controller, limits),
        );
      },
    };
    return consumer;
  }

  private pump(lane: JobLane): void {
    const consumer = this.consumers.get(lane.name);
    while (!this.closed && consumer && consumer.running.size < consumer.concurrency) {
      const job = nextWaiting(lane);
      if (!job) return;
      lane.waiting.delete(job.id);
      this.deliver(lane, consumer, job);
    }
  }

  private deliver(lane: JobLane, consumer: LaneConsumer, job: QueuedJob): void {
    job.deliveries += 1;
    lane.active.set(job.id, job);
    const controller = new AbortController();
    const done = consumer.run(job, controller).then((outcome) => this.settle(lane, consumer, job, outcome));
    const flight = { controller, done };
    consumer.running.add(done);
    this.inFlight.add(flight);
    void done.finally(() => {
      consumer.running.delete(done);
      this.inFlight.delete(flight);
      this.pump(lane);
    });
  }

  private settle(lane: JobLane, consumer: LaneConsumer, job: QueuedJob, outcome: DeliveryOutcome): void {
    lane.active.delete(job.id);
    // After close an outcome has nowhere to go; the store's reconciler owns what was unfinished.
    if (this.closed || outcome.ok) return;
    if (outcome.error instanceof PermanentJobError || job.deliveries >= consumer.attempts) {
      recordFailure(lane, job.id, this.keepFailed);
      return;
    }
    this.schedule(lane, job, retryDelayMs(consumer.backoffMs, job.deliveries, this.random));
  }

  private schedule(lane: JobLane, job: QueuedJob, delayMs: number): void {
    if (delayMs <= 0) {
      this.makeReady(lane, job);
      return;
    }
    lane.delayed.set(job.id, job);
    job.timer = later(delayMs, () => {
      lane.delayed.delete(job.id);
      job.timer = undefined;
      this.makeReady(lane, job);
    });
  }

  private makeReady(lane: JobLane, job: QueuedJob): void {
    job.readyAt = this.now();
    lane.waiting.set(job.id, job);
    this.pump(lane);
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.consumers.clear();
    for (const lane of this.lanes.values()) {
      for (const job of lane.delayed.values()) clearTimeout(job.timer);
    }
    const active = Promise.all([...this.inFlight].map((flight) => flight.done));
    if (await settlesWithin(active, graceMs)) return;
    const reason = new DOMException('queue closed', 'AbortError');
    for (const flight of this.inFlight) flight.controller.abort(reason);
  }
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

/** True once `work` settles, false after `ms`. Its timer is ref'd so that close() resolves even in an idle process. */
function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true), expired]).finally(() => clearTimeout(timer));
}
