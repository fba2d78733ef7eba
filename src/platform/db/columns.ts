import { timestamp } from 'drizzle-orm/pg-core';

/** `created_at timestamptz not null default now()`, the column every table has. */
export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
