import type { ZodType } from 'zod';
import type { TraceCarrier } from '../telemetry/index.js';

/**
 * One entry of the typed job catalogue: a job name with its payload schema, retry policy and timeout.
 * Payloads carry ids, never records or secrets: the store is the truth.
 */
export interface JobDefinition<P> {
  name: string;
  payload: ZodType<P>;
  /** Deliveries before the job is marked failed (1 = no retry). */
  attempts: number;
  /** First retry delay; doubles each attempt (with jitter). */
  backoffMs: number;
  /** The handler's signal aborts after this. */
  timeoutMs: number;
}

export interface EnqueueOptions {
  /** Idempotent: a job with the same id that is waiting, delayed or active is not added again. */
  jobId: string;
  /** Run no earlier than this many ms from now. Default 0. */
  delayMs?: number;
}

/** One job of `enqueueMany`. */
export interface BulkJob<P> {
  payload: P;
  options: EnqueueOptions;
  /** The trace its enqueue continues (the work that wrote an outbox row); default the active one. */
  traceContext?: TraceCarrier | null;
}

export interface Job<P> {
  id: string;
  name: string;
  payload: P;
  /** 1 on the first delivery, 2 on the first retry, … */
  attempt: number;
}

/** The handler resolves to ack; throws to retry (up to `attempts`); throws PermanentJobError to fail at once. */
export type JobHandler<P> = (job: Job<P>, signal: AbortSignal) => Promise<void>;

export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface ConsumeOptions {
  /** Jobs of this name handled at once by this process. */
  concurrency: number;
}

export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Age of the oldest waiting job, or null when none waits. */
  oldestWaitingMs: number | null;
}

export interface Consumer {
  /** Stops taking new jobs of this name; resolves when its active handlers have finished. */
  stop(): Promise<void>;
}

export interface Queue {
  readonly kind: 'in-process' | 'bullmq';
  enqueue<P>(definition: JobDefinition<P>, payload: P, options: EnqueueOptions): Promise<void>;
  /**
   * Enqueues jobs of one name, each as `enqueue` would, in as few round trips as the queue can
   * (BullMQ: two, whatever their number). Optional: without it, callers enqueue one by one.
   */
  enqueueMany?<P>(definition: JobDefinition<P>, jobs: ReadonlyArray<BulkJob<P>>): Promise<void>;
  consume<P>(definition: JobDefinition<P>, handler: JobHandler<P>, options: ConsumeOptions): Consumer;
  depth(definition: JobDefinition<unknown>): Promise<QueueDepth>;
  /** Stops taking jobs, waits up to graceMs for active handlers, then aborts their signals. */
  close(graceMs?: number): Promise<void>;
}
