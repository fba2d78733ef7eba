import { z } from 'zod';

/** Written in a suite where the base URL of its fixture pages goes (`{{fixtures}}/article`). */
export const FIXTURES_PLACEHOLDER = '{{fixtures}}';

/** Default time a case may take before it fails (a task is cancelled). */
export const DEFAULT_TIMEOUT_MS = 60_000;

const text = z.string().min(1, 'must not be empty');
/** One value or a list of them; always a list once parsed. */
const oneOrMany = (item: z.ZodString) =>
  z.union([item, z.array(item).min(1, 'must list at least one')]).transform((v) => [v].flat());
const agentName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'an agent name: letters, digits, ".", "_" or "-"');
const positiveMs = z.number().int().positive().max(3_600_000);

/** One expected tool call: the tool, and optionally its arguments (a subset), whether it worked, its error. */
export const toolExpectation = z.strictObject({
  tool: text,
  input: z.record(z.string(), z.unknown()).optional(),
  ok: z.boolean().optional(),
  error: text.optional(),
});

export const assertionsSchema = z.strictObject({
  contains: oneOrMany(text).optional(),
  not_contains: oneOrMany(text).optional(),
  regex: oneOrMany(text).optional(),
  not_regex: oneOrMany(text).optional(),
  json_schema: z.record(z.string(), z.unknown()).optional(),
  tools: z.array(toolExpectation).optional(),
  max_latency_ms: positiveMs.optional(),
  max_tokens: z.number().int().positive().optional(),
  judge: z.strictObject({ rubric: text, agent: agentName.optional() }).optional(),
  error: text.optional(),
});

export const caseSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$/, 'letters, digits, ".", "_" or "-", at most 100'),
    description: z.string().optional(),
    /** A chat message, or several sent as one conversation (the assertions look at the last reply). */
    chat: oneOrMany(text).optional(),
    /** A task description: POST /api/tasks, then its result. */
    task: text.optional(),
    agent: agentName.optional(),
    timeout_ms: positiveMs.optional(),
    /** At least one (checked by the loader, so an unknown field is not also reported as none). */
    assert: assertionsSchema,
  })
  .superRefine((c, ctx) => {
    if ((c.chat === undefined) === (c.task === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['chat'], message: 'give exactly one input: chat or task' });
    }
  });

export const fixturePageSchema = z
  .strictObject({
    title: z.string().optional(),
    /** Rendered as an article page (title, then one <p> each). */
    paragraphs: z.array(text).min(1).optional(),
    /** The body as served, instead of paragraphs. */
    body: z.string().optional(),
    /** Answer 302 to this URL instead (a redirect into an internal address, say). */
    redirect: z.string().min(1).optional(),
    content_type: z.string().min(1).default('text/html; charset=utf-8'),
    status: z.number().int().min(200).max(599).default(200),
  })
  .refine((page) => [page.paragraphs, page.body, page.redirect].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of paragraphs, body and redirect',
  });

export const suiteSchema = z.strictObject({
  /** Default: the file name without .yaml. */
  suite: agentName.optional(),
  description: z.string().optional(),
  /** The agent of every case that names none (`--agent` overrides it). Default: the server's default agent. */
  agent: agentName.optional(),
  /** The agent that judges `judge` assertions that name none. Default: the case's agent. */
  judge_agent: agentName.optional(),
  timeout_ms: positiveMs.default(DEFAULT_TIMEOUT_MS),
  /** Pages the in-process runner serves on loopback, at `{{fixtures}}/<path>`. */
  fixtures: z
    .record(z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'a path such as /article'), fixturePageSchema)
    .optional(),
  cases: z.array(caseSchema).min(1, 'must list at least one case'),
});

export type SuiteInput = z.input<typeof suiteSchema>;
export type EvalCase = z.output<typeof caseSchema>;
export type Assertions = z.output<typeof assertionsSchema>;
export type ToolExpectation = z.output<typeof toolExpectation>;
export type FixturePage = z.output<typeof fixturePageSchema>;

export interface Suite extends Omit<z.output<typeof suiteSchema>, 'suite'> {
  /** The suite's name: its `suite` field, else the file name. */
  name: string;
  /** The file it was read from, as given. */
  file: string;
}

/** The fields each object of a suite takes, for "unknown field" messages. */
export const suiteFields = {
  suite: Object.keys(suiteSchema.shape),
  case: ['id', 'description', 'chat', 'task', 'agent', 'timeout_ms', 'assert'],
  assert: Object.keys(assertionsSchema.shape),
  tool: Object.keys(toolExpectation.shape),
  judge: ['rubric', 'agent'],
  fixture: ['title', 'paragraphs', 'body', 'redirect', 'content_type', 'status'],
};
