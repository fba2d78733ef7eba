import { z } from 'zod';
import { type JobDefinition, PermanentJobError } from './queue.js';

/**
 * Job names become BullMQ queue names and Redis key parts, where ':' is reserved; checking here
 * makes the embedded mode reject the catalogue entries the distributed mode would.
 */
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Throws for a catalogue entry that cannot work: a programming error, found at start. */
export function assertDefinition(definition: JobDefinition<unknown>): void {
  const { name, attempts, backoffMs, timeoutMs } = definition;
  const checks: Array<[boolean, string]> = [
    [JOB_NAME.test(name), `its name must match ${JOB_NAME}`],
    [Number.isInteger(attempts) && attempts >= 1, 'attempts must be an integer ≥ 1'],
    [Number.isFinite(backoffMs) && backoffMs >= 0, 'backoffMs must be ≥ 0'],
    [Number.isFinite(timeoutMs) && timeoutMs > 0, 'timeoutMs must be > 0'],
  ];
  const problem = checks.find(([ok]) => !ok)?.[1];
  if (problem) throw new Error(`job "${name}" is misdefined: ${problem}`);
}

/**
 * Validates a payload and turns it into what a broker would store (JSON text). A payload that
 * only passes its schema before the round trip (a Date, a Map, a bigint) fails here, in both
 * modes, instead of only once Redis is in the way.
 */
export function serialisePayload<P>(definition: JobDefinition<P>, payload: P): string {
  const checked = definition.payload.safeParse(payload);
  if (!checked.success) {
    throw new Error(`invalid payload for job "${definition.name}": ${z.prettifyError(checked.error)}`);
  }
  const text = toJson(checked.data);
  const back = text === undefined ? undefined : definition.payload.safeParse(JSON.parse(text));
  if (text === undefined || !back?.success) {
    throw new Error(`payload for job "${definition.name}" does not survive JSON serialisation`);
  }
  return text;
}

export type ParsedPayload<P> = { ok: true; value: P } | { ok: false; error: PermanentJobError };

/**
 * Reads a stored payload for a handler: each delivery gets its own copy, checked against the
 * consumer's schema (in distributed mode the enqueuer may run an older or newer version).
 */
export function parsePayload<P>(definition: JobDefinition<P>, text: string): ParsedPayload<P> {
  const parsed = definition.payload.safeParse(JSON.parse(text));
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = `stored payload for job "${definition.name}" no longer matches its schema`;
  return { ok: false, error: new PermanentJobError(message) };
}

function toJson(value: unknown): string | undefined {
  try {
    // JSON.stringify returns undefined at run time for undefined and functions, whatever its type says.
    const text: string | undefined = JSON.stringify(value);
    return text;
  } catch {
    return undefined;
  }
}
