import { bigserial, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from '../db/columns.js';

/** Jobs committed with the rows they act on; a relay moves them onto the queue (outbox pattern). */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  jobName: text('job_name').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  availableAt: timestamp('available_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** The trace context (W3C traceparent/tracestate) of the work that wrote the row: the relay enqueues under it. */
  traceContext: jsonb('trace_context').$type<Record<string, string>>(),
  createdAt: createdAt(),
});
