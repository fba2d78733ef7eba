import type { TraceCarrier } from '../telemetry/index.js';
import type { QueueDepth } from './queue.js';

/** One job in memory, from enqueue until it completes or fails. */
export interface QueuedJob {
  id: string;
  /** The payload as JSON text, as a broker would hold it. */
  data: string;
  /** Deliveries so far; the next one is attempt `deliveries + 1`. */
  deliveries: number;
  /** When it became waiting (for oldestWaitingMs). */
  readyAt: number;
  timer?: NodeJS.Timeout;
  /** The trace context of its enqueue, for its deliveries' spans. */
  trace?: TraceCarrier;
}

/**
 * The jobs of one name. Maps keep insertion order, so `waiting` is the FIFO and its first entry
 * the oldest; a job is in at most one of waiting, delayed and active, which is what makes
 * enqueue idempotent by id.
 */
export interface JobLane {
  name: string;
  waiting: Map<string, QueuedJob>;
  delayed: Map<string, QueuedJob>;
  active: Map<string, QueuedJob>;
  /** Ids of the most recent failures, oldest first, at most `keepFailed` of them. */
  failed: Set<string>;
}

export function createLane(name: string): JobLane {
  return { name, waiting: new Map(), delayed: new Map(), active: new Map(), failed: new Set() };
}

export function isQueued(lane: JobLane, id: string): boolean {
  return lane.waiting.has(id) || lane.delayed.has(id) || lane.active.has(id);
}

export function nextWaiting(lane: JobLane): QueuedJob | undefined {
  return lane.waiting.values().next().value;
}

/** Failed jobs are remembered by id only and only the latest `keep`, so failures cannot grow memory. */
export function recordFailure(lane: JobLane, id: string, keep: number): void {
  lane.failed.delete(id);
  lane.failed.add(id);
  for (const oldest of lane.failed) {
    if (lane.failed.size <= keep) break;
    lane.failed.delete(oldest);
  }
}

export function laneDepth(lane: JobLane, now: number): QueueDepth {
  const oldest = nextWaiting(lane);
  return {
    waiting: lane.waiting.size,
    active: lane.active.size,
    delayed: lane.delayed.size,
    failed: lane.failed.size,
    oldestWaitingMs: oldest ? Math.max(0, now - oldest.readyAt) : null,
  };
}
