import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteRedisKeys, REDIS_URL, redisSkipReason } from '../../../test/support/services.js';
import { installTestTracing, type TestTracing } from '../../../test/support/test-tracing.js';
import { createBullmqQueue } from './bullmq-queue.js';
import { createInProcessQueue } from './in-process-queue.js';
import type { Queue } from './queue.js';
import { testJob, WAIT } from './queue-contract-support.js';

const redisSkip = await redisSkipReason();
const prefix = `berth-test-${randomUUID().slice(0, 8)}`;
let tracing: TestTracing;

beforeAll(() => {
  tracing = installTestTracing();
});
afterAll(async () => {
  await tracing.uninstall();
  if (!redisSkip) await deleteRedisKeys(REDIS_URL, prefix);
});
beforeEach(() => tracing.reset());

const queues: Array<[string, string | undefined, () => Queue]> = [
  ['in-process', undefined, () => createInProcessQueue()],
  ['BullMQ', redisSkip, () => createBullmqQueue({ connection: REDIS_URL, prefix, abandonGraceMs: 100 })],
];

describe.each(queues)('a job enqueued inside a trace (%s queue)', (name, skip, create) => {
  const system = name === 'BullMQ' ? 'bullmq' : 'berth.in_process';

  it.skipIf(skip)('is handled in that trace, under a send and a process span', async () => {
    const queue = create();
    const job = testJob('traced');
    const seen: Array<string | undefined> = [];
    queue.consume(job, async () => void seen.push(trace.getActiveSpan()?.spanContext().traceId), {
      concurrency: 1,
    });
    const parent = await trace.getTracer('test').startActiveSpan('request', async (span) => {
      await queue.enqueue(job, { n: 1 }, { jobId: 'j1' });
      span.end();
      return span.spanContext();
    });
    await vi.waitFor(() => expect(tracing.spans().map((s) => s.name)).toContain(`process ${job.name}`), WAIT);
    await queue.close(1_000);
    expect(seen).toEqual([parent.traceId]);
    const send = tracing.spans().find((s) => s.name === `send ${job.name}`);
    const process = tracing.spans().find((s) => s.name === `process ${job.name}`);
    expect(send).toMatchObject({ kind: SpanKind.PRODUCER });
    expect(send?.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(process).toMatchObject({ kind: SpanKind.CONSUMER });
    expect(process?.spanContext().traceId).toBe(parent.traceId);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(process?.attributes).toMatchObject({
      'messaging.system': system,
      'messaging.destination.name': job.name,
      'messaging.message.id': 'j1',
      'berth.job.attempt': 1,
    });
  });

  it.skipIf(skip)('gives each delivery of a retried job its own span, the failed one marked', async () => {
    const queue = create();
    const job = testJob('retried', { attempts: 2, backoffMs: 10 });
    let calls = 0;
    queue.consume(
      job,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('first delivery fails');
      },
      { concurrency: 1 },
    );
    await trace.getTracer('test').startActiveSpan('request', async (span) => {
      await queue.enqueue(job, { n: 2 }, { jobId: 'j2' });
      span.end();
    });
    const processed = () => tracing.spans().filter((s) => s.name === `process ${job.name}`);
    await vi.waitFor(() => expect(processed()).toHaveLength(2), WAIT);
    await queue.close(1_000);
    const [first, second] = processed();
    expect(first?.status.code).toBe(SpanStatusCode.ERROR);
    expect(second?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(second?.attributes['berth.job.attempt']).toBe(2);
    expect(first?.parentSpanContext?.spanId).toBe(second?.parentSpanContext?.spanId);
  });
});
