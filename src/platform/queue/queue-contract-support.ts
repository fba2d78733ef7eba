import { randomUUID } from 'node:crypto';
import { expect, vi } from 'vitest';
import { z } from 'zod';
import type { Job, JobDefinition, JobHandler, Queue, QueueDepth } from './queue.js';

export const testPayload = z.object({ n: z.number().int() });
export type TestPayload = z.infer<typeof testPayload>;

/** Long enough for a broker on a loaded CI machine; waits end as soon as the condition holds. */
export const WAIT = { timeout: 8_000, interval: 10 };

const run = randomUUID().slice(0, 8);
let sequence = 0;

/** A job definition with a name no other test (or run sharing the same Redis) uses. */
export function testJob(
  label: string,
  overrides: Partial<Omit<JobDefinition<TestPayload>, 'name' | 'payload'>> = {},
): JobDefinition<TestPayload> {
  sequence += 1;
  const name = `contract-${run}-${label}-${sequence}`;
  return { name, payload: testPayload, attempts: 1, backoffMs: 20, timeoutMs: 5_000, ...overrides };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise a test opens when it wants blocked handlers to go on. */
export function gate() {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { opened: promise, open: () => resolve() };
}

export interface Delivery {
  id: string;
  n: number;
  attempt: number;
  at: number;
}

/** Wraps a handler so the test sees every delivery, in order, with its time. */
export function recording(handler: JobHandler<TestPayload> = async () => {}) {
  const deliveries: Delivery[] = [];
  const wrapped: JobHandler<TestPayload> = (job: Job<TestPayload>, signal) => {
    deliveries.push({ id: job.id, n: job.payload.n, attempt: job.attempt, at: performance.now() });
    return handler(job, signal);
  };
  return { deliveries, handler: wrapped };
}

export async function enqueueAll(queue: Queue, definition: JobDefinition<TestPayload>, ns: number[]) {
  for (const n of ns) await queue.enqueue(definition, { n }, { jobId: `job-${n}` });
}

export function waitForDepth(
  queue: Queue,
  definition: JobDefinition<TestPayload>,
  expected: Partial<QueueDepth>,
) {
  return vi.waitFor(async () => expect(await queue.depth(definition)).toMatchObject(expected), WAIT);
}

export function waitForCount(deliveries: readonly unknown[], count: number) {
  return vi.waitFor(() => expect(deliveries).toHaveLength(count), WAIT);
}
