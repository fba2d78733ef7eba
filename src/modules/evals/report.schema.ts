import { z } from 'zod';

/** The JSON report's format tag; a baseline in another format is refused. */
export const REPORT_FORMAT = 'berth-eval-report/1';
/** Longest output a report keeps of a case. */
export const OUTPUT_CHARS = 2_000;

const statuses = ['passed', 'failed', 'skipped'] as const;
export type CaseStatus = (typeof statuses)[number];

const shortText = z.string().max(OUTPUT_CHARS * 2);

export const caseResultSchema = z.object({
  id: z.string().max(100),
  description: z.string().max(2_000).optional(),
  kind: z.enum(['chat', 'task']),
  /** The message(s) or the task description, as sent. */
  input: z.array(shortText).max(50),
  agent: z.string().max(64),
  status: z.enum(statuses),
  /** Why it failed (each failed assertion) or was skipped; empty when it passed. */
  reasons: z.array(z.string().max(4_000)).max(100),
  assertions: z
    .array(z.object({ assertion: z.string().max(40), passed: z.boolean(), message: z.string().max(4_000) }))
    .max(100),
  latency_ms: z.number().nonnegative().nullable(),
  tokens: z.object({ input: z.number(), output: z.number() }).nullable(),
  output: shortText,
  tools: z
    .array(
      z.object({
        tool: z.string().max(64),
        input: z.unknown(),
        ok: z.boolean(),
        error: z.string().optional(),
      }),
    )
    .max(100),
  agent_version: z.string().max(64).nullable(),
});
export type CaseResult = z.infer<typeof caseResultSchema>;

export const regressionSchema = z.object({
  case: z.string(),
  was: z.enum(statuses),
  now: z.enum(statuses),
  reasons: z.array(z.string()),
});
export type Regression = z.infer<typeof regressionSchema>;

export const reportSchema = z.object({
  format: z.literal(REPORT_FORMAT),
  suite: z.string().max(64),
  suite_file: z.string().max(1_000),
  description: z.string().max(2_000).optional(),
  /** The agent of the cases that name none. */
  agent: z.string().max(64),
  agent_version: z.string().max(64).nullable(),
  /** Hash of every agent's version and the tool settings, when known (set by the server that stores the run). */
  config_version: z.string().max(64).nullable(),
  berth_version: z.string().max(64).nullable(),
  /** provider/model of the agent. */
  model: z.string().max(200).nullable(),
  target: z.string().max(1_000),
  started_at: z.iso.datetime(),
  finished_at: z.iso.datetime(),
  duration_ms: z.number().nonnegative(),
  totals: z.object({ cases: z.number(), passed: z.number(), failed: z.number(), skipped: z.number() }),
  /** passed / (passed + failed); null when no case could be judged. */
  pass_rate: z.number().min(0).max(1).nullable(),
  gate: z.object({
    min_pass_rate: z.number().min(0).max(1),
    passed: z.boolean(),
    reasons: z.array(z.string().max(4_000)).max(200),
  }),
  baseline: z
    .object({
      file: z.string().max(1_000),
      pass_rate: z.number().nullable(),
      /** Changes that are not regressions: a passing case now skipped, a case no longer in the suite. */
      notes: z.array(z.string().max(1_000)).max(1_000),
    })
    .nullable(),
  regressions: z.array(regressionSchema).max(1_000),
  cases: z.array(caseResultSchema).max(1_000),
  /** The id of the stored run (GET /api/evals/:id), when it was recorded. */
  run_id: z.string().nullable(),
});
export type EvalReport = z.infer<typeof reportSchema>;
