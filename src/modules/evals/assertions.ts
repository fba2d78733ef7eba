import type { Observation, ToolCall } from './berth-client.js';
import { compileJsonSchema, compilePattern, matchesSubset, parseJsonOutput } from './matchers.js';
import type { Assertions, ToolExpectation } from './suite.schema.js';

/** One assertion's verdict; `message` says what was expected and, when it failed, what came. */
export interface AssertionResult {
  assertion: string;
  passed: boolean;
  message: string;
}

const QUOTE_CHARS = 120;
const quote = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > QUOTE_CHARS ? `${flat.slice(0, QUOTE_CHARS - 1)}…` : flat);
};
/** A long output by its start and its end: answers often open with boilerplate and end with the substance. */
const quoteOutput = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 200 ? `${flat.slice(0, 60)} … ${flat.slice(-130)}` : flat);
};
const result = (assertion: string, passed: boolean, message: string): AssertionResult => ({
  assertion,
  passed,
  message,
});

function textChecks(a: Assertions, output: string): AssertionResult[] {
  const lower = output.toLowerCase();
  const out: AssertionResult[] = [];
  for (const needle of a.contains ?? []) {
    const found = lower.includes(needle.toLowerCase());
    out.push(
      result(
        'contains',
        found,
        found ? `contains ${quote(needle)}` : `no ${quote(needle)} in ${quoteOutput(output)}`,
      ),
    );
  }
  for (const needle of a.not_contains ?? []) {
    const at = lower.indexOf(needle.toLowerCase());
    const context = at < 0 ? '' : output.slice(Math.max(0, at - 40), at + needle.length + 40);
    out.push(
      result(
        'not_contains',
        at < 0,
        at < 0 ? `does not contain ${quote(needle)}` : `contains ${quote(needle)}: …${quote(context)}…`,
      ),
    );
  }
  for (const [name, expect] of [
    ['regex', true],
    ['not_regex', false],
  ] as const) {
    for (const pattern of a[name] ?? []) {
      const compiled = compilePattern(pattern);
      // The loader compiled every pattern already; this is a suite built in code.
      if (!compiled.ok) {
        out.push(result(name, false, compiled.error));
        continue;
      }
      const match = compiled.value.exec(output);
      const passed = (match !== null) === expect;
      const message = match
        ? `${quote(match[0])} matches ${pattern}`
        : `nothing matches ${pattern} in ${quoteOutput(output)}`;
      out.push(result(name, passed, message));
    }
  }
  return out;
}

function jsonCheck(schema: Record<string, unknown>, output: string): AssertionResult {
  const validator = compileJsonSchema(schema);
  if (!validator.ok) return result('json_schema', false, validator.error);
  const value = parseJsonOutput(output);
  if (!value.ok) return result('json_schema', false, `${value.error}: ${quoteOutput(output)}`);
  const problems = validator.value(value.value);
  return problems.length === 0
    ? result('json_schema', true, 'the output is JSON that fits the schema')
    : result('json_schema', false, `the JSON does not fit the schema: ${problems.slice(0, 5).join('; ')}`);
}

const describeCall = (call: ToolCall) =>
  `${call.tool}(${JSON.stringify(call.input ?? {})})${call.ok ? '' : ` failed${call.error ? `: ${call.error}` : ''}`}`;
const describeExpected = (e: ToolExpectation) =>
  `${e.tool}${e.input ? `(${JSON.stringify(e.input)}…)` : ''}${e.ok === false || e.error ? ` failing${e.error ? ` with ${e.error}` : ''}` : ''}`;

/** Why one call is not the one expected, or undefined when it is. */
function callMismatch(call: ToolCall, expected: ToolExpectation): string | undefined {
  if (call.tool !== expected.tool) return `${call.tool} instead of ${expected.tool}`;
  if (expected.input && !matchesSubset(call.input, expected.input)) {
    return `${call.tool} with ${JSON.stringify(call.input)}, not ${JSON.stringify(expected.input)}`;
  }
  const wantOk = expected.ok ?? (expected.error ? false : undefined);
  if (wantOk !== undefined && call.ok !== wantOk) {
    return `${call.tool} ${call.ok ? 'succeeded' : `failed (${call.error ?? 'no code'})`}`;
  }
  if (expected.error && call.error !== expected.error) {
    return `${call.tool} failed with ${call.error ?? 'no code'}, not ${expected.error}`;
  }
  return undefined;
}

/** The calls must be exactly these, in this order. */
function trajectoryCheck(expected: ToolExpectation[], calls: ToolCall[]): AssertionResult {
  const want = expected.length === 0 ? 'no tool call' : expected.map(describeExpected).join(' → ');
  const got = calls.length === 0 ? 'none' : calls.map(describeCall).join(' → ');
  for (let i = 0; i < Math.max(expected.length, calls.length); i++) {
    const call = calls[i];
    const exp = expected[i];
    const problem = !call
      ? `call ${i + 1} missing: expected ${describeExpected(exp as ToolExpectation)}`
      : !exp
        ? `unexpected call ${i + 1}: ${describeCall(call)}`
        : callMismatch(call, exp);
    if (problem) return result('tools', false, `${problem} (call ${i + 1}); expected ${want}; got ${got}`);
  }
  return result('tools', true, expected.length === 0 ? 'no tool was called' : `called ${want}`);
}

/**
 * Every assertion but `judge` (which needs a model), plus the outcome: without `error` the turn must
 * be answered and the task completed; with it, they must fail with that code.
 */
export function checkAssertions(a: Assertions, obs: Observation): AssertionResult[] {
  const out: AssertionResult[] = [];
  if (a.error) {
    const code = obs.error?.code;
    out.push(
      result(
        'error',
        !obs.ok && code === a.error,
        obs.ok
          ? `succeeded; expected the error ${a.error}`
          : `failed with ${code}${code === a.error ? '' : `, not ${a.error}`}`,
      ),
    );
  } else if (!obs.ok) {
    out.push(result('outcome', false, `failed with ${obs.error?.code}: ${obs.error?.message}`));
  }
  out.push(...textChecks(a, obs.output));
  if (a.json_schema) out.push(jsonCheck(a.json_schema, obs.output));
  if (a.tools) out.push(trajectoryCheck(a.tools, obs.tools));
  if (a.max_latency_ms !== undefined) {
    const passed = obs.latencyMs <= a.max_latency_ms;
    out.push(result('max_latency_ms', passed, `took ${obs.latencyMs} ms (limit ${a.max_latency_ms} ms)`));
  }
  if (a.max_tokens !== undefined) {
    const spent = obs.tokens ? obs.tokens.input + obs.tokens.output : undefined;
    out.push(
      spent === undefined
        ? result('max_tokens', false, 'no token count came back')
        : result('max_tokens', spent <= a.max_tokens, `spent ${spent} tokens (limit ${a.max_tokens})`),
    );
  }
  return out;
}
