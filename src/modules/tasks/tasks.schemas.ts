import { z } from 'zod';
import { MAX_PLAN_STEPS } from './plan.js';
import { taskStatusList } from './task-status.js';

/** One step of an explicit plan, as the API spells it (validatePlan checks the plan as a whole). */
export const wireStep = z.strictObject({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _, at most 40, a letter first'),
  tool: z.string().min(1).max(64),
  input: z
    .record(z.string(), z.unknown())
    .describe('The tool input; {"$from": "<key>", "path": "<field>"} takes a value from an earlier step'),
  depends_on: z.array(z.string().max(40)).max(MAX_PLAN_STEPS).default([]),
});

export const createTaskBody = (maxDescriptionChars: number) =>
  z.strictObject({
    description: z
      .string()
      .max(maxDescriptionChars, `must be at most ${maxDescriptionChars} characters`)
      .refine((value) => value.trim().length > 0, 'must not be empty'),
    title: z.string().max(200).optional(),
    user_id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[^\s/]+$/, 'must not contain spaces or slashes')
      .optional(),
    agent: z.string().min(1).max(64).optional(),
    /**
     * An explicit plan: these steps run instead of what a planner would make of the description,
     * validated as a model's plan is. The description stays required: it says what the task is for.
     */
    steps: z
      .array(wireStep)
      .max(100, 'at most 100 steps are read (a plan may have 20)')
      .optional()
      .describe(`An explicit plan (at most ${MAX_PLAN_STEPS} steps) that replaces the planner`),
  });
export type CreateTaskBody = z.infer<ReturnType<typeof createTaskBody>>;

export const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
});

export const taskAccepted = z.object({ task_id: z.string(), status: z.enum(taskStatusList) });

export const stepView = z.object({
  step_id: z.string(),
  key: z.string(),
  tool: z.string(),
  input: z.record(z.string(), z.unknown()),
  status: z.string(),
  depends_on: z.array(z.string()),
  attempts: z.number(),
  output: z.unknown(),
  output_truncated: z.boolean(),
  output_url: z.string().nullable(),
  error: z.unknown(),
  /** Model tokens the step spent (summarize, answer) and their cost in USD; 0 for tools that call no model. */
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() }),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
});

export const taskSummary = z.object({
  task_id: z.string(),
  status: z.enum(taskStatusList),
  title: z.string(),
  description: z.string(),
  user_id: z.string(),
  agent: z.string(),
  agent_version: z.string(),
  result: z.string().nullable(),
  error: z.unknown(),
  planner: z.enum(['model', 'rule', 'explicit']),
  planner_note: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});

export const taskView = taskSummary.extend({
  steps: z.array(stepView),
  /** The steps' usage summed: what the task's model calls spent and cost (USD). */
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() }),
});

export const listQuery = z.object({
  user_id: z.string().min(1).max(128).optional(),
  status: z.enum(taskStatusList).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const taskList = z.object({ tasks: z.array(taskSummary), next_cursor: z.string().nullable() });
