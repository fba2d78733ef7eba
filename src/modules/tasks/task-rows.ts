import type { steps, tasks } from './tasks.tables.js';

// Row types of the tasks module, apart from the repositories so that the journal and the tasks
// repository (which composes it) do not import each other.
export type TaskRow = typeof tasks.$inferSelect;
export type StepRow = typeof steps.$inferSelect;

export interface ClaimedStep {
  step: StepRow;
  task: { requestId: string; agent: string; agentVersion: string; userId: string };
}
