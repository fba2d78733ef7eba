import { type Attributes, SpanKind } from '@opentelemetry/api';
import {
  captureTraceContext,
  contextFrom,
  inSpan,
  markFailed,
  type TraceCarrier,
} from '../telemetry/index.js';
import type { DeliveryOutcome } from './run-handler.js';

/** `messaging.system` of each queue: BullMQ's, and the embedded one's (no registered value exists). */
export type MessagingSystem = 'bullmq' | 'berth.in_process';

const attributes = (system: MessagingSystem, operation: 'send' | 'process', name: string, jobId: string) =>
  ({
    'messaging.system': system,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': name,
    'messaging.message.id': jobId,
  }) satisfies Attributes;

/**
 * A PRODUCER span around one enqueue, after the messaging conventions (`send <job name>`); `send`
 * gets the carrier the job must hold for its deliveries to continue this trace (undefined with tracing off).
 */
export function traceEnqueue<T>(
  system: MessagingSystem,
  name: string,
  jobId: string,
  send: (carrier: TraceCarrier | undefined) => Promise<T>,
): Promise<T> {
  return inSpan(
    `send ${name}`,
    { kind: SpanKind.PRODUCER, attributes: attributes(system, 'send', name, jobId) },
    () => send(captureTraceContext()),
  );
}

/**
 * A CONSUMER span around one delivery (`process <job name>`), a child of the enqueue that the job's
 * carrier names: so a trace goes on across the queue, into another process. Every delivery of a
 * retried job gets its own span under the same parent.
 */
export function traceDelivery(
  system: MessagingSystem,
  job: { id: string; name: string; attempt: number },
  carrier: TraceCarrier | undefined,
  deliver: () => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> {
  return inSpan(
    `process ${job.name}`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(carrier),
      attributes: { ...attributes(system, 'process', job.name, job.id), 'berth.job.attempt': job.attempt },
    },
    async (span) => {
      const outcome = await deliver();
      if (!outcome.ok) markFailed(span, outcome.error);
      return outcome;
    },
  );
}

/** A carrier as BullMQ keeps it (one string in the job's telemetry metadata), read back; undefined if unusable. */
export function parseCarrier(text: string | undefined): TraceCarrier | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const entries = Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    );
    return Object.fromEntries(entries);
  } catch {
    return undefined;
  }
}
