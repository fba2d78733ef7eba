import { sql } from 'drizzle-orm';
import { jsonRows, queryRows, type Tx, uuidArray } from '../../platform/db/index.js';
import { captureTraceContext } from '../../platform/telemetry/index.js';
import { STEP_JOB } from './outbox-rows.js';
import { resultText } from './task-result.js';
import { fromJson, type StepRow, stepColumns, type TaskRow, taskColumns } from './task-rows.js';
import { tasks } from './tasks.tables.js';

/** A step that succeeded, as its runner hands it to the journal. */
export interface Completion {
  stepId: string;
  attempt: number;
  output: unknown;
  durationMs: number;
  tokens: { input: number; output: number; costUsd: number };
  /** Claim one newly ready dependant in the same transaction, for this runner to run next. */
  continueWith?: { leaseMs: number };
}

export type CompletionResult =
  | { fenced: true }
  | { fenced: false; promoted: string[]; finished: TaskRow | undefined; next?: StepRow };

/** What a completion carries into its batch: taken when the runner submits it, not when the batch is written. */
export interface SubmittedCompletion extends Completion {
  finishedAt: Date;
  /** The trace of the step's span, for the outbox rows of the dependants it readies. */
  traceContext: Record<string, string> | undefined;
}

export const submitted = (completion: Completion): SubmittedCompletion => ({
  ...completion,
  finishedAt: new Date(),
  traceContext: captureTraceContext(),
});

interface Recorded {
  step_id: string;
  task_id: string;
  task_status: TaskRow['status'];
}

/**
 * Records the batch's outcomes, fenced — each only while its step still runs with the attempt its
 * runner claimed — under the row locks of their tasks, taken in id order (so two batches never
 * deadlock) and held to the end of the transaction: the next statement then sees every sibling
 * that finished before (otherwise two parallel branches could each think the other unfinished).
 */
const recordAll = (tx: Tx, batch: SubmittedCompletion[]) =>
  queryRows<Recorded>(
    tx,
    sql`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${jsonRows(
        batch.map((c) => ({
          step_id: c.stepId,
          attempt: c.attempt,
          output: c.output ?? null,
          duration_ms: c.durationMs,
          input_tokens: c.tokens.input,
          output_tokens: c.tokens.output,
          cost_usd: c.tokens.costUsd,
          finished_at: c.finishedAt.toISOString(),
        })),
      )}) AS v(step_id uuid, attempt int, output jsonb, duration_ms int, input_tokens int,
        output_tokens int, cost_usd float8, finished_at timestamptz)
    ), locked AS (
      SELECT t.id, t.status FROM tasks t
      WHERE t.id IN (SELECT s.task_id FROM steps s WHERE s.id = ANY(${uuidArray(batch.map((c) => c.stepId))}))
      ORDER BY t.id FOR UPDATE
    )
    UPDATE steps s SET status = 'completed', output = v.output, error = NULL, duration_ms = v.duration_ms,
      input_tokens = v.input_tokens, output_tokens = v.output_tokens, cost_usd = v.cost_usd,
      finished_at = v.finished_at, lease_expires_at = NULL, updated_at = now()
    FROM v, locked
    WHERE s.id = ANY(${uuidArray(batch.map((c) => c.stepId))}) AND s.id = v.step_id
      AND s.status = 'running' AND s.attempts = v.attempt AND s.task_id = locked.id
    RETURNING s.id AS step_id, s.task_id, locked.status AS task_status`,
  );

/** Per task of the batch: the runner that may continue with a claimed dependant, and the trace to ready the others under. */
interface Advance {
  task_id: string;
  lease_ms: number | null;
  trace: Record<string, string> | null;
}

interface Advanced {
  readied: Array<{ id: string; task_id: string }> | null;
  claimed: Array<Record<string, unknown>> | null;
  finished: Array<{ task: Record<string, unknown>; last_output: unknown; last_is_ours: boolean }> | null;
}

/**
 * After the batch's steps were recorded (the statement before, under their tasks' locks): in each
 * task, the steps whose dependencies have all completed become ready — the first of them claimed
 * at once when its runner may continue (no outbox row, no queue round trip), the others with
 * outbox rows — or, when none is left, the task completes with its last step's text. One
 * statement for the whole batch.
 */
async function advanceAll(tx: Tx, advances: Advance[], results: Array<{ step_id: string; result: string }>) {
  const [row] = await queryRows<Advanced>(
    tx,
    sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${jsonRows(advances)})
        AS i(task_id uuid, lease_ms int, trace jsonb)
    ), done AS (
      SELECT * FROM jsonb_to_recordset(${jsonRows(results)}) AS d(step_id uuid, result text)
    ), task AS (
      SELECT t.id, i.lease_ms, i.trace FROM tasks t JOIN input i ON i.task_id = t.id
      WHERE t.id = ANY(${uuidArray(advances.map((a) => a.task_id))}) AND t.status IN ('running', 'awaiting_approval')
    ), candidates AS (
      SELECT s.id, s.task_id, s.position FROM steps s JOIN task ON s.task_id = task.id
      WHERE s.status = 'pending' AND NOT EXISTS (
        SELECT 1 FROM steps d WHERE d.task_id = s.task_id AND d.key = ANY(s.depends_on) AND d.status <> 'completed'
      )
    ), first AS (
      SELECT DISTINCT ON (c.task_id) c.id, task.lease_ms FROM candidates c JOIN task ON task.id = c.task_id
      WHERE task.lease_ms IS NOT NULL ORDER BY c.task_id, c.position
    ), claimed AS (
      UPDATE steps s SET status = 'running', attempts = s.attempts + 1,
        lease_expires_at = now() + first.lease_ms * interval '1 millisecond', started_at = now(), updated_at = now()
      FROM first WHERE s.id = first.id
      RETURNING s.*
    ), readied AS (
      UPDATE steps s SET status = 'ready', updated_at = now()
      FROM candidates c WHERE s.id = c.id AND c.id NOT IN (SELECT id FROM first)
      RETURNING s.id, s.task_id
    ), queued AS (
      INSERT INTO outbox (job_name, payload, trace_context)
      SELECT ${STEP_JOB}, jsonb_build_object('stepId', r.id), task.trace FROM readied r JOIN task ON task.id = r.task_id
    ), last AS (
      SELECT DISTINCT ON (s.task_id) s.task_id, s.id, s.output FROM steps s JOIN task ON s.task_id = task.id
      ORDER BY s.task_id, s.position DESC
    ), finished AS (
      UPDATE tasks t SET status = 'completed', updated_at = now(), finished_at = now(),
        result = (SELECT d.result FROM last l JOIN done d ON d.step_id = l.id WHERE l.task_id = t.id)
      FROM task WHERE t.id = task.id
        AND NOT EXISTS (SELECT 1 FROM candidates c WHERE c.task_id = t.id)
        AND NOT EXISTS (SELECT 1 FROM steps s WHERE s.task_id = t.id AND s.status <> 'completed')
      RETURNING t.*
    )
    SELECT (SELECT jsonb_agg(jsonb_build_object('id', id, 'task_id', task_id)) FROM readied) AS readied,
      (SELECT jsonb_agg(to_jsonb(claimed.*)) FROM claimed) AS claimed,
      (SELECT jsonb_agg(jsonb_build_object('task', to_jsonb(f.*), 'last_is_ours', ours.mine,
          'last_output', CASE WHEN NOT ours.mine THEN l.output END))
        FROM finished f JOIN last l ON l.task_id = f.id,
        LATERAL (SELECT EXISTS (SELECT 1 FROM done d WHERE d.step_id = l.id) AS mine) ours) AS finished`,
  );
  return row;
}

/**
 * Writes a batch of completions — of steps of any tasks — in two statements of the caller's
 * transaction, and says to each what became of it. Fenced off (the lease was taken over, or the
 * task cancelled) comes back as `fenced`.
 */
export async function completeSteps(tx: Tx, batch: SubmittedCompletion[]): Promise<CompletionResult[]> {
  const recorded = new Map((await recordAll(tx, batch)).map((r) => [r.step_id, r]));
  const going = batch.filter((c) => {
    const status = recorded.get(c.stepId)?.task_status;
    return status === 'running' || status === 'awaiting_approval';
  });
  /** Per task, the first of its completions in the batch: it gets the task's readied steps and its finish. */
  const firstOf = new Map<string, SubmittedCompletion>();
  /** Per task, the completion whose runner continues with the claimed dependant. */
  const continuerOf = new Map<string, SubmittedCompletion>();
  for (const c of going) {
    const taskId = recorded.get(c.stepId)?.task_id as string;
    if (!firstOf.has(taskId)) firstOf.set(taskId, c);
    if (c.continueWith && !continuerOf.has(taskId)) continuerOf.set(taskId, c);
  }
  const advanced =
    firstOf.size === 0
      ? undefined
      : await advanceAll(
          tx,
          [...firstOf].map(([taskId, first]) => ({
            task_id: taskId,
            lease_ms: continuerOf.get(taskId)?.continueWith?.leaseMs ?? null,
            trace: first.traceContext ?? null,
          })),
          going.map((c) => ({ step_id: c.stepId, result: resultText(c.output) })),
        );
  const promoted = Map.groupBy(advanced?.readied ?? [], (r) => r.task_id);
  const claimed = new Map(
    (advanced?.claimed ?? []).map((json) => {
      const step = fromJson<StepRow>(stepColumns, json);
      return [step.taskId, step];
    }),
  );
  const finished = new Map<string, TaskRow>();
  for (const f of advanced?.finished ?? []) {
    let task = fromJson<TaskRow>(taskColumns, f.task);
    // The last step by position finished before this batch (parallel branches): its text is the
    // result, made by the same function as always (SQL would print JSON differently).
    if (!f.last_is_ours) {
      const result = resultText(f.last_output);
      await tx.update(tasks).set({ result }).where(sql`${tasks.id} = ${task.id}`);
      task = { ...task, result };
    }
    finished.set(task.id, task);
  }
  return batch.map((c): CompletionResult => {
    const row = recorded.get(c.stepId);
    if (!row) return { fenced: true };
    const first = firstOf.get(row.task_id) === c;
    return {
      fenced: false,
      promoted: first ? (promoted.get(row.task_id) ?? []).map((r) => r.id) : [],
      finished: first ? finished.get(row.task_id) : undefined,
      next: continuerOf.get(row.task_id) === c ? claimed.get(row.task_id) : undefined,
    };
  });
}
