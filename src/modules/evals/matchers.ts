import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { fail, ok, type Result } from '../../platform/errors.js';

/**
 * A suite's pattern: JavaScript regular expression source, or `/source/flags` for flags
 * (`/answer: \d+/i`). Refused when it does not compile, so a typo fails the suite, not the case.
 */
export function compilePattern(pattern: string): Result<RegExp, string> {
  const literal = /^\/(.+)\/([dgimsuvy]*)$/s.exec(pattern);
  try {
    return ok(literal ? new RegExp(literal[1] ?? '', literal[2]) : new RegExp(pattern));
  } catch (error) {
    return fail(`invalid regular expression: ${(error as Error).message}`);
  }
}

const DRAFT_07 = /json-schema\.org\/draft-07\/schema/;

/** A compiled JSON Schema: draft 2020-12 unless the schema's `$schema` says draft-07. */
export type JsonValidator = (value: unknown) => string[];

const describe = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '(the whole value)'} ${e.message ?? 'is not valid'}`.trim());

export function compileJsonSchema(schema: Record<string, unknown>): Result<JsonValidator, string> {
  const draft07 = typeof schema.$schema === 'string' && DRAFT_07.test(schema.$schema);
  // strict: a misspelt keyword ("propertys") is an error in the suite, not a schema that accepts anything.
  const ajv = draft07
    ? new Ajv({ allErrors: true, strict: true })
    : new Ajv2020({ allErrors: true, strict: true });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    return fail(`not a valid JSON Schema: ${(error as Error).message}`);
  }
  return ok((value) => (validate(value) ? [] : describe(validate.errors)));
}

/** The output as JSON: the whole text, or the one fenced ```json block it consists of. */
export function parseJsonOutput(output: string): Result<unknown, string> {
  const trimmed = output.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  try {
    return ok(JSON.parse(fenced ? (fenced[1] ?? '') : trimmed));
  } catch (error) {
    return fail(`the output is not JSON (${(error as Error).message})`);
  }
}

/** Whether `actual` has every field of `expected` with an equal value (objects compared the same way, recursively). */
export function matchesSubset(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return Object.is(actual, expected);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, i) => matchesSubset(actual[i], item))
    );
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const record = actual as Record<string, unknown>;
  return Object.entries(expected).every(([key, value]) => matchesSubset(record[key], value));
}
