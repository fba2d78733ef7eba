import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { fail, ok, type Result } from '../errors.js';
import { type Config, configSchema } from './config.schema.js';
import { envMap } from './env-map.js';

export interface LoadConfigInput {
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A config error names the key (env var or file path) and what is wrong; no stack trace. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
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

function readFile(input: LoadConfigInput): Result<{ data: Plain; path?: string }, string> {
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

function describeIssue(issue: z.core.$ZodIssue, envByPath: Map<string, string>, filePath?: string): string {
  const key = issue.path.join('.');
  const env = envByPath.get(key);
  const where = env ? `${env} (${key})` : filePath ? `${key} in ${filePath}` : key;
  return `${where || '(top level)'}: ${issue.message}`;
}

/** defaults → file (berth.yaml or BERTH_CONFIG) → environment. Returns the config or the problems. */
export function loadConfig(input: LoadConfigInput): Result<Config, ConfigError> {
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
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    return fail(
      new ConfigError(parsed.error.issues.map((i) => describeIssue(i, envByPath, file.value.path))),
    );
  }
  return ok(parsed.data);
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
