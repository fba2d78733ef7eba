import { z } from 'zod';
import { fail, ok, type Result } from '../../platform/errors.js';
import type { ToolRegistry } from '../tools/index.js';

/** A value in a step's input that is filled in from an earlier step's output when the step runs. */
export const stepRef = z.strictObject({ $from: z.string(), path: z.string().optional() });
export type StepRef = z.infer<typeof stepRef>;

export const plannedStep = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _'),
  tool: z.string(),
  input: z.record(z.string(), z.unknown()),
  dependsOn: z.array(z.string()).default([]),
});
export type PlannedStep = z.infer<typeof plannedStep>;

export interface Plan {
  steps: PlannedStep[];
  /** explicit: the steps came with the request. */
  planner: 'model' | 'rule' | 'explicit';
  /** For a rule plan, what the task page says about it: the rules, and why they planned instead of the model. */
  note?: string;
  /** For a rule plan, why in a few words (e.g. "the offline model cannot plan"). */
  reason?: string;
}

export const MAX_PLAN_STEPS = 20;

const isRef = (value: unknown): value is StepRef => stepRef.safeParse(value).success;

/** Every reference in a step's input, at any depth. */
export function refsIn(value: unknown): StepRef[] {
  if (isRef(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(refsIn);
  return [];
}

/** Replaces references with what `resolve` gives for them, at any depth. */
export function replaceRefs(value: unknown, resolve: (ref: StepRef) => unknown): unknown {
  if (isRef(value)) return resolve(value);
  if (Array.isArray(value)) return value.map((item) => replaceRefs(item, resolve));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceRefs(v, resolve)]));
  }
  return value;
}

/** Where each reference sits in a step's input, as paths of keys and indexes. */
function refPaths(value: unknown, at: PropertyKey[] = []): PropertyKey[][] {
  if (isRef(value)) return [at];
  if (Array.isArray(value)) return value.flatMap((item, i) => refPaths(item, [...at, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => refPaths(item, [...at, key]));
  }
  return [];
}

const startsWith = (path: PropertyKey[], prefix: PropertyKey[]) =>
  prefix.length <= path.length && prefix.every((key, i) => key === path[i]);

/** A literal value in a step's input that its tool's input schema refuses. */
export interface LiteralInputProblem {
  step: string;
  tool: string;
  /** Dotted path of the input field, e.g. `instruction`; `input` for the input as a whole. */
  field: string;
  message: string;
  /** What the field takes at most, when that is what was exceeded: `2000 characters`. */
  limit?: { maximum: number; unit: string };
}

const units: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes' };

/**
 * The first literal input (not a `$from` reference, which is only known when the step runs) of a
 * step that its tool's input schema refuses, or undefined. Unknown tools are validatePlan's concern.
 */
export function literalInputProblem(
  step: PlannedStep,
  registry: ToolRegistry,
): LiteralInputProblem | undefined {
  const tool = registry.get(step.tool);
  if (!tool) return undefined;
  const refs = refPaths(step.input);
  const parsed = tool.input.safeParse(replaceRefs(step.input, () => 'placeholder'));
  if (parsed.success) return undefined;
  const issue = parsed.error.issues.find((candidate) => !refs.some((ref) => startsWith(candidate.path, ref)));
  if (!issue) return undefined;
  const limit =
    issue.code === 'too_big'
      ? { maximum: Number(issue.maximum), unit: units[issue.origin] ?? '' }
      : undefined;
  return {
    step: step.key,
    tool: step.tool,
    field: issue.path.map(String).join('.') || 'input',
    message: issue.message,
    ...(limit ? { limit } : {}),
  };
}

/** The first step found in a dependency cycle, or undefined. */
function cycleAt(steps: PlannedStep[]): number | undefined {
  const deps = new Map(steps.map((s) => [s.key, s.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (key: string): boolean => {
    if (state.get(key) === 'done') return false;
    if (state.get(key) === 'visiting') return true;
    state.set(key, 'visiting');
    const cyclic = (deps.get(key) ?? []).some(visit);
    state.set(key, 'done');
    return cyclic;
  };
  const index = steps.findIndex((s) => visit(s.key));
  return index === -1 ? undefined : index;
}

/** Why a plan cannot run: a sentence, and where in the plan when one step is at fault. */
export interface PlanProblem {
  /** Names the step, e.g. `step notify: unknown tool "mail"`. */
  message: string;
  /** Position of the step at fault in the plan. */
  index?: number;
  /** The part of that step, in the API's spelling: `key`, `tool`, `depends_on.0`, `input.url`. */
  field?: string;
}

const problem = (message: string, index?: number, field?: string): PlanProblem => ({
  message,
  ...(index === undefined ? {} : { index }),
  ...(field === undefined ? {} : { field }),
});

const inputField = (path: readonly PropertyKey[]) => ['input', ...path.map(String)].join('.');

function checkStep(
  step: PlannedStep,
  index: number,
  keys: Set<string>,
  registry: ToolRegistry,
): PlanProblem | undefined {
  const tool = registry.get(step.tool);
  const at = (message: string, field: string) => problem(`step ${step.key}: ${message}`, index, field);
  if (!tool) {
    const reason = registry.unavailableReason(step.tool);
    return at(reason ? `${step.tool} is not available: it ${reason}` : `unknown tool "${step.tool}"`, 'tool');
  }
  // A tool that changes the world may be planned: its step waits for approval before it runs.
  const unknown = step.dependsOn.findIndex((dep) => !keys.has(dep));
  if (unknown !== -1)
    return at(`depends on unknown step "${step.dependsOn[unknown]}"`, `depends_on.${unknown}`);
  const paths = refPaths(step.input);
  const refs = refsIn(step.input);
  const loose = refs.findIndex((ref) => !step.dependsOn.includes(ref.$from));
  if (loose !== -1) {
    const message = `uses the output of "${refs[loose]?.$from}" without depending on it`;
    return at(message, inputField(paths[loose] ?? []));
  }
  // Referenced values are only known at run time; a placeholder string lets the schema check the
  // rest. It is no URL and no address, so a destination (http_post's url, send_email's to) cannot
  // come from an earlier step's output: fetched content never chooses where a side effect goes.
  const candidate = replaceRefs(step.input, () => 'placeholder');
  const parsed = tool.input.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return at(`bad input for ${step.tool}: ${issue?.message ?? 'invalid'}`, inputField(issue?.path ?? []));
  }
  return undefined;
}

/** Checks a plan against the tool registry: known tools, valid inputs, known dependencies, no cycles, not too long. */
export function validatePlan(
  steps: PlannedStep[],
  registry: ToolRegistry,
): Result<PlannedStep[], PlanProblem> {
  if (steps.length === 0) return fail(problem('the plan has no steps'));
  if (steps.length > MAX_PLAN_STEPS)
    return fail(problem(`the plan has ${steps.length} steps; at most ${MAX_PLAN_STEPS} are allowed`));
  const keys = new Set<string>();
  for (const [index, step] of steps.entries()) {
    if (keys.has(step.key)) return fail(problem(`two steps share the key "${step.key}"`, index, 'key'));
    keys.add(step.key);
  }
  for (const [index, step] of steps.entries()) {
    const found = checkStep(step, index, keys, registry);
    if (found) return fail(found);
  }
  const cyclic = cycleAt(steps);
  if (cyclic !== undefined) {
    const message = `step ${steps[cyclic]?.key}: the steps depend on each other in a cycle`;
    return fail(problem(message, cyclic, 'depends_on'));
  }
  return ok(steps);
}
