import { getTableColumns } from 'drizzle-orm';
import { steps, tasks } from './tasks.tables.js';

// Row types of the tasks module, apart from the repositories so that the journal and the tasks
// repository (which composes it) do not import each other.
export type TaskRow = typeof tasks.$inferSelect;
export type StepRow = typeof steps.$inferSelect;

export interface ClaimedStep {
  step: StepRow;
  task: { requestId: string; agent: string; agentVersion: string; userId: string };
}

type Columns = ReturnType<typeof getTableColumns>;
export const stepColumns = getTableColumns(steps);
export const taskColumns = getTableColumns(tasks);

/** A row from its `to_jsonb`: raw statements get no drizzle mapping, and jsonb reads the same on both drivers. */
export function fromJson<R>(columns: Columns, json: Record<string, unknown>): R {
  const row: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns)) {
    const value = json[column.name] ?? null;
    row[field] = value !== null && column.columnType === 'PgTimestamp' ? new Date(value as string) : value;
  }
  return row as R;
}
