import { type Job as BullJob, UnrecoverableError, Worker } from 'bullmq';
import { decodeJobId } from './bullmq-ids.js';
import { type ErrorReport, type WorkerRedis, workerConnection } from './bullmq-redis.js';
import { settlesWithin } from './bullmq-timing.js';
import { parsePayload } from './job-payload.js';
import { parseCarrier, traceDelivery } from './job-tracing.js';
import { type Consumer, type JobDefinition, type JobHandler, PermanentJobError } from './queue.js';
import { retryDelayMs } from './retry-delay.js';
import { type DeliveryOutcome, runHandler } from './run-handler.js';

/** What the queue holds of a consumer: it also stops it on Queue.close. */
export interface ManagedConsumer extends Consumer {
  /** Stops, giving active handlers `graceMs` before aborting them. */
  shutDown(graceMs: number): Promise<void>;
}

export interface ConsumerSettings {
  url: string;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  abandonGraceMs: number;
  random: () => number;
  report: ErrorReport;
}

/** How long BullMQ gets to wind a worker down once its handlers have settled or been given up on. */
const WIND_DOWN_MS = 2_000;

interface Flight {
  controller: AbortController;
  /** Settles the delivery at once, whatever its handler does (close, after the grace period). */
  giveUp(outcome: DeliveryOutcome): void;
  /** Resolves once the processor has returned or thrown. */
  done: Promise<void>;
}

/** A consumer's BullMQ Worker, on a Redis connection of its own. */
interface WorkerRun {
  worker: Worker;
  redis: WorkerRedis;
  closed?: Promise<void>;
}

export class WorkerConsumer<P> implements ManagedConsumer {
  private readonly run: WorkerRun;
  private readonly flights = new Set<Flight>();
  private stopped = false;

  constructor(
    private readonly definition: JobDefinition<P>,
    private readonly handler: JobHandler<P>,
    private readonly settings: ConsumerSettings,
    /** Called once, when stop() is called: the job name may then be consumed again. */
    private readonly onStop: () => void,
  ) {
    this.run = this.startRun();
  }

  async stop(): Promise<void> {
    if (!this.stopped) this.onStop();
    this.stopped = true;
    await this.closeRun(this.run);
  }

  async shutDown(graceMs: number): Promise<void> {
    this.stopped = true;
    await this.closeRun(this.run, graceMs);
  }

  private startRun(): WorkerRun {
    const { settings, definition } = this;
    const redis = workerConnection(settings.url, settings.report);
    const worker = new Worker(definition.name, (job: BullJob, _token, signal) => this.process(job, signal), {
      connection: redis,
      prefix: settings.prefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          retryDelayMs(definition.backoffMs, attemptsMade, settings.random),
      },
    });
    worker.on('error', settings.report);
    return { worker, redis };
  }

  /**
   * Closes a run: BullMQ stops fetching and waits for the active jobs, for as long as they take
   * when there is no `graceMs`. After `graceMs`, the connection is dropped first, so that no
   * outcome of an aborted handler reaches Redis: the job stays active there until its lock lapses,
   * and the stalled-job check of a live worker hands it out again (the store's reconciler owns
   * the step meanwhile).
   */
  private async closeRun(run: WorkerRun, graceMs?: number): Promise<void> {
    run.closed ??= run.worker.close().catch(this.settings.report);
    if (graceMs === undefined) await this.drain(run.closed);
    else if (!(await settlesWithin(run.closed, graceMs))) {
      run.redis.disconnectAll();
      this.abandonFlights();
      await settlesWithin(run.closed, WIND_DOWN_MS);
    }
    run.redis.disconnectAll();
  }

  /**
   * Waits for BullMQ's close while handlers still run (they always end: runHandler gives up on
   * stuck ones), then WIND_DOWN_MS more at most: with Redis down it cannot record their outcomes.
   */
  private async drain(closed: Promise<void>): Promise<void> {
    while (!(await settlesWithin(closed, WIND_DOWN_MS))) {
      if (this.flights.size === 0) return;
      await Promise.all([...this.flights].map((flight) => flight.done));
    }
  }

  private abandonFlights(): void {
    const reason = new DOMException('queue closed', 'AbortError');
    for (const flight of this.flights) {
      flight.controller.abort(reason);
      flight.giveUp({ ok: false, error: reason });
    }
  }

  /** The BullMQ processor: resolves to ack, throws to fail (UnrecoverableError: no retry). */
  private async process(job: BullJob, lockSignal: AbortSignal | undefined): Promise<void> {
    const { definition } = this;
    const payload = parsePayload(definition, JSON.stringify(job.data));
    if (!payload.ok) throw new UnrecoverableError(payload.error.message);
    const controller = new AbortController();
    // BullMQ aborts this when the job's lock is lost: another worker may be running it by now.
    lockSignal?.addEventListener('abort', () => controller.abort(lockSignal.reason), { once: true });
    const given = Promise.withResolvers<DeliveryOutcome>();
    const finished = Promise.withResolvers<void>();
    const flight: Flight = { controller, giveUp: given.resolve, done: finished.promise };
    this.flights.add(flight);
    try {
      const delivered = {
        id: decodeJobId(job.id ?? ''),
        name: definition.name,
        payload: payload.value,
        attempt: job.attemptsMade + 1,
      };
      const limits = { timeoutMs: definition.timeoutMs, abandonGraceMs: this.settings.abandonGraceMs };
      const outcome = await traceDelivery(
        'bullmq',
        delivered,
        parseCarrier(job.opts.telemetry?.metadata),
        () => Promise.race([runHandler(this.handler, delivered, controller, limits), given.promise]),
      );
      if (!outcome.ok) throw toBullmqError(outcome.error);
    } finally {
      this.flights.delete(flight);
      finished.resolve();
    }
  }
}

function toBullmqError(error: unknown): Error {
  if (error instanceof PermanentJobError) return new UnrecoverableError(error.message);
  if (error instanceof Error) return error;
  return new Error(`job handler threw a non-Error value: ${String(error)}`);
}
