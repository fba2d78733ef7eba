import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { fail, ok, type Result } from '../errors.js';
import {
  type ConfigCheck,
  ConfigError,
  type ConfigSources,
  describeCheckIssue,
  describeSchemaIssue,
  spellKey,
} from './config-errors.js';
import { envMap } from './env-map.js';
import { resolveReferences } from './references.js';

export { ConfigError } from './config-errors.js';

export interface LoadConfigInput<C = unknown> {
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * Checks the schema cannot make (e.g. that every agent's tools exist, which only the app knows);
   * run once the schema passed, their problems reported like its own. Default none.
   */
  checks?: ReadonlyArray<ConfigCheck<C>>;
  /**
   * Paths (dotted, `*` for any key or index) whose text may name environment variables as
   * `${NAME}`, resolved before parsing; errors show the reference, not the value. Default none.
   */
  references?: readonly string[];
}

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function setPath(target: Plain, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlain(node[key])) node[key] = {};
    node = node[key] as Plain;
  }
  node[path.at(-1) as string] = value;
}

function readFile(input: LoadConfigInput<never>): Result<{ data: Plain; path?: string }, string> {
  const explicit = input.env.BERTH_CONFIG;
  const path = resolve(input.cwd, explicit ?? 'berth.yaml');
  if (!existsSync(path)) {
    return explicit ? fail(`BERTH_CONFIG: file ${path} does not exist`) : ok({ data: {} });
  }
  try {
    const data: unknown = parseYaml(readFileSync(path, 'utf8'));
    if (data === null || data === undefined) return ok({ data: {}, path });
    if (!isPlain(data)) return fail(`${path}: the top level must be a mapping of keys`);
    return ok({ data, path });
  } catch (error) {
    return fail(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * defaults → file (berth.yaml or BERTH_CONFIG) → environment, parsed by `schema` (the app's composed
 * one), then `checks`. Returns the config, or every problem, each naming the key in its env and file
 * spellings, the value and what is allowed.
 */
export function loadConfigWith<S extends z.ZodType>(
  schema: S,
  input: LoadConfigInput<z.output<S>>,
): Result<z.output<S>, ConfigError> {
  const file = readFile(input);
  if (!file.ok) return fail(new ConfigError([file.error]));
  const raw: Plain = structuredClone(file.value.data);
  const envByPath = new Map<string, string>();
  for (const { env, path } of envMap) {
    const value = input.env[env];
    if (value === undefined || value === '') continue;
    setPath(raw, path, value);
    envByPath.set(path.join('.'), env);
  }
  const sources: ConfigSources = { raw, envByPath, filePath: file.value.path, schema };
  const resolved = resolveReferences(raw, input.references ?? [], input.env);
  if (resolved.problems.length > 0) {
    return fail(new ConfigError(resolved.problems.map((p) => `${spellKey(p.path, sources)}: ${p.message}`)));
  }
  const parsed = schema.safeParse(resolved.value);
  if (!parsed.success) {
    return fail(new ConfigError(parsed.error.issues.flatMap((i) => describeSchemaIssue(i, sources))));
  }
  const issues = (input.checks ?? []).flatMap((check) => check(parsed.data));
  if (issues.length > 0) return fail(new ConfigError(issues.map((i) => describeCheckIssue(i, sources))));
  return ok(parsed.data);
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
