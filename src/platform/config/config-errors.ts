import type { z } from 'zod';
import { envMap } from './env-map.js';

/**
 * One problem with the configuration, as a check outside the schema reports it (e.g. an agent naming
 * a tool the registry does not have). `path` is the file spelling; load-config adds the rest.
 */
export interface ConfigIssue {
  path: readonly PropertyKey[];
  /** What is wrong, e.g. `unknown tool`. */
  message: string;
  /** What would be accepted, e.g. `fetch_url, extract_text`. */
  allowed?: string;
}

/** Checks that need more than the schema; they run after it passed, and their issues read like its own. */
export type ConfigCheck<C> = (config: C) => ConfigIssue[];

/**
 * Every problem of a configuration, each one line `<key>: <what is wrong>; got <value>; allowed: <…>`,
 * the key in its environment and file spellings; secrets never appear. No stack trace.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Where the values came from, to spell each key the way its user wrote it. */
export interface ConfigSources {
  /** The merged input (file, then environment) before the schema coerced anything. */
  raw: unknown;
  /** Path (dotted) → the variable that set it. */
  envByPath: ReadonlyMap<string, string>;
  /** The config file read, if any. */
  filePath?: string;
  /** The schema, to say what each key allows. */
  schema: z.ZodType;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  entries?: Record<string, string>;
  format?: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
};
type CheckDef = {
  check: string;
  value?: number;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
};
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema a path leads to, through defaults, optionals and pipes (the input side of a transform). */
function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = unwrap(root);
  for (const key of path) {
    if (!node) return undefined;
    const def = defOf(node);
    if (def.type === 'object') node = def.shape?.[String(key)];
    else if (def.type === 'array') node = def.element;
    else return undefined;
    node = node && unwrap(node);
  }
  return node;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (;;) {
    const def = defOf(node);
    if (def.innerType && ['default', 'prefault', 'optional', 'nullable'].includes(def.type)) {
      node = def.innerType;
    } else if (def.type === 'pipe' && def.in && def.out) {
      // preprocess → (transform, schema): the schema says what is allowed; transform after → its input.
      node = defOf(def.in).type === 'transform' ? def.out : def.in;
    } else return node;
  }
}

const checksOf = (schema: z.ZodType) => (defOf(schema).checks ?? []).map((check) => check._zod.def);

function describeNumber(schema: z.ZodType): string {
  const checks = checksOf(schema);
  const whole = checks.some((c) => c.check === 'number_format');
  let min: number | undefined;
  let max: number | undefined;
  for (const check of checks) {
    const step = check.inclusive || !whole ? 0 : 1;
    if (check.check === 'greater_than' && check.value !== undefined) min = check.value + step;
    if (check.check === 'less_than' && check.value !== undefined) max = check.value - step;
  }
  const kind = whole ? 'a whole number' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind;
}

function describeLength(schema: z.ZodType, unit: string): string | undefined {
  const checks = checksOf(schema);
  const min = checks.find((c) => c.check === 'min_length')?.minimum;
  const max = checks.find((c) => c.check === 'max_length')?.maximum;
  if (min !== undefined && max !== undefined) return `${min} to ${max} ${unit}`;
  if (min !== undefined && min > 1) return `at least ${min} ${unit}`;
  if (max !== undefined) return `at most ${max} ${unit}`;
  return undefined;
}

/** What a key accepts, in words, from its schema; undefined when its error message already says it. */
export function allowedAt(root: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  const schema = schemaAt(root, path);
  if (!schema) return undefined;
  const def = defOf(schema);
  switch (def.type) {
    case 'enum':
      return `one of ${Object.values(def.entries ?? {}).join(', ')}`;
    case 'number':
      return describeNumber(schema);
    case 'boolean':
      return 'true or false';
    case 'object':
      return `a mapping with the keys ${Object.keys(def.shape ?? {}).join(', ')}`;
    case 'array': {
      const length = describeLength(schema, 'entries');
      return `a list${length ? ` of ${length}` : ''} (in the environment: comma-separated)`;
    }
    case 'string': {
      if (def.format === 'url') return 'an http(s) URL';
      // A pattern's own message says what it wants (e.g. "must start with postgres://").
      if (checksOf(schema).some((c) => c.check === 'string_format')) return undefined;
      const length = describeLength(schema, 'characters');
      return length ? `text of ${length}` : undefined;
    }
    default:
      return undefined;
  }
}

const SECRET_KEY = /(api_?keys?|secret|password|token)$/i;
const isSecretPath = (path: readonly PropertyKey[]) => path.some((key) => SECRET_KEY.test(String(key)));

/** A URL's password replaced by ****, anything else as it was. */
function withoutPassword(text: string): string {
  // A URL too broken to parse can still carry user:password@ (smtp://user:pw@ without a host).
  if (!URL.canParse(text)) return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i, '$1****@');
  const url = new URL(text);
  if (!url.password) return text;
  const shown = text.replace(`:${url.password}@`, ':****@');
  if (shown !== text) return shown;
  url.password = '****';
  return url.href;
}

const MAX_SHOWN = 80;

/** The value as the user wrote it, or a description of it when it is a secret. */
export function showValue(path: readonly PropertyKey[], value: unknown): string {
  if (isSecretPath(path)) {
    if (Array.isArray(value)) return `${value.length} hidden value${value.length === 1 ? '' : 's'}`;
    const length = typeof value === 'string' ? value.length : (JSON.stringify(value)?.length ?? 0);
    return `a hidden value of ${length} characters`;
  }
  const text = typeof value === 'string' ? JSON.stringify(withoutPassword(value)) : JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const envNamesByPath = new Map<string, string[]>();
for (const { env, path } of envMap) {
  const key = path.join('.');
  envNamesByPath.set(key, [...(envNamesByPath.get(key) ?? []), env]);
}

/** `PORT (server.port)`, `PORT (server.port in /x/berth.yaml)`, or `agents.0.name in /x/berth.yaml`. */
export function spellKey(path: readonly PropertyKey[], sources: ConfigSources): string {
  const key = path.map(String).join('.') || '(top level)';
  const setBy = sources.envByPath.get(key);
  if (setBy) return `${setBy} (${key})`;
  const inFile =
    sources.filePath && valueAt(sources.raw, path) !== undefined ? ` in ${sources.filePath}` : '';
  const env = envNamesByPath.get(key);
  if (env) return `${env.join(' or ')} (${key}${inFile})`;
  return sources.filePath ? `${key} in ${sources.filePath}` : key;
}

// "must be an http(s) URL" already says "allowed: an http(s) URL".
const saysIt = (reason: string, allowed: string) =>
  reason.toLowerCase().includes(allowed.replace(/^(text of|an?) /, '').toLowerCase());

function line(
  path: readonly PropertyKey[],
  reason: string,
  sources: ConfigSources,
  allowed?: string,
): string {
  const value = valueAt(sources.raw, path);
  const got = value === undefined ? '' : `; got ${showValue(path, value)}`;
  const allows = allowed && !saysIt(reason, allowed) ? `; allowed: ${allowed}` : '';
  return `${spellKey(path, sources)}: ${reason}${got}${allows}`;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping of keys',
  array: 'a list',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
};
// zod's own messages ("Invalid input: …", "Too small: …"); a schema's custom message is kept as it is.
const ZOD_DEFAULT = /^(Invalid (input|option|string|value)|Too (small|big)|Unrecognized key)/;

function reasonOf(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return (issue as { received?: string }).received === 'NaN'
        ? 'not a number'
        : `expected ${EXPECTED[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return 'not an allowed value';
    case 'too_small':
      return issue.origin === 'number'
        ? 'too small'
        : issue.origin === 'array'
          ? 'too few entries'
          : 'too short';
    case 'too_big':
      return issue.origin === 'number'
        ? 'too big'
        : issue.origin === 'array'
          ? 'too many entries'
          : 'too long';
    case 'invalid_format':
      return 'not in the expected form';
    default:
      return issue.message;
  }
}

/** One line per problem: unknown keys one each, with the keys their mapping allows. */
export function describeSchemaIssue(issue: z.core.$ZodIssue, sources: ConfigSources): string[] {
  if (issue.code === 'unrecognized_keys') {
    const known = allowedAt(sources.schema, issue.path)?.replace(/^a mapping with the keys /, '');
    return issue.keys.map((key) => line([...issue.path, key], 'unknown key', sources, known));
  }
  // A refinement's message is about more than the key's type (e.g. "is required when OIDC is on").
  const allowed = issue.code === 'custom' ? undefined : allowedAt(sources.schema, issue.path);
  return [line(issue.path, reasonOf(issue), sources, allowed)];
}

/** A check's issue in the same format; what it allows comes from the check, else from the schema. */
export function describeCheckIssue(issue: ConfigIssue, sources: ConfigSources): string {
  return line(issue.path, issue.message, sources, issue.allowed ?? allowedAt(sources.schema, issue.path));
}
