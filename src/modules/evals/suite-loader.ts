import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { fail, ok, type Result } from '../../platform/errors.js';
import { compileJsonSchema, compilePattern } from './matchers.js';
import { FIXTURES_PLACEHOLDER, type Suite, suiteFields, suiteSchema } from './suite.schema.js';

/** A suite that cannot run: every problem, each naming the file, the case and the field. */
export class SuiteError extends Error {
  override name = 'SuiteError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

type Path = ReadonlyArray<PropertyKey>;
interface Located {
  path: Path;
  message: string;
}

const fieldPath = (path: Path) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');

/** The fields the object at `path` takes (for an unknown key). */
function allowedAt(path: Path): string[] {
  const last = path.at(-1);
  const parent = path.at(-2);
  if (path.length === 0) return suiteFields.suite;
  if (path[0] === 'fixtures') return suiteFields.fixture;
  if (parent === 'cases' && typeof last === 'number') return suiteFields.case;
  if (last === 'assert') return suiteFields.assert;
  if (last === 'judge') return suiteFields.judge;
  if (parent === 'tools') return suiteFields.tool;
  return [];
}

function issueMessages(issue: z.core.$ZodIssue): Located[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedAt(issue.path);
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      message: `unknown field${allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`,
    }));
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return [{ path: issue.path, message: 'is required' }];
  }
  if (issue.code === 'invalid_union') {
    return [{ path: issue.path, message: 'must be a text or a list of texts' }];
  }
  return [{ path: issue.path, message: issue.message.replace(/^Invalid input: /, '') }];
}

/** Checks the schema cannot make: patterns and JSON Schemas compile, ids are unique, fixtures exist. */
function semanticProblems(suite: z.output<typeof suiteSchema>): Located[] {
  const out: Located[] = [];
  const seen = new Set<string>();
  suite.cases.forEach((c, i) => {
    if (Object.keys(c.assert).length === 0) {
      out.push({ path: ['cases', i, 'assert'], message: 'needs at least one assertion' });
    }
    if (seen.has(c.id))
      out.push({ path: ['cases', i, 'id'], message: `"${c.id}" is used by an earlier case` });
    seen.add(c.id);
    for (const field of ['regex', 'not_regex'] as const) {
      c.assert[field]?.forEach((pattern, j) => {
        const compiled = compilePattern(pattern);
        if (!compiled.ok) out.push({ path: ['cases', i, 'assert', field, j], message: compiled.error });
      });
    }
    if (c.assert.json_schema) {
      const compiled = compileJsonSchema(c.assert.json_schema);
      if (!compiled.ok) out.push({ path: ['cases', i, 'assert', 'json_schema'], message: compiled.error });
    }
    if (!suite.fixtures && JSON.stringify(c).includes(FIXTURES_PLACEHOLDER)) {
      out.push({
        path: ['cases', i],
        message: `uses ${FIXTURES_PLACEHOLDER} but the suite has no fixtures`,
      });
    }
  });
  return out;
}

/** `file:line: case "id": field: message`, with the line of the field when the YAML has it. */
function formatter(file: string, raw: unknown, locate: (path: Path) => number | undefined) {
  const cases = (raw as { cases?: unknown[] } | null)?.cases;
  return ({ path, message }: Located): string => {
    const line = locate(path);
    const where = line ? `${file}:${line}` : file;
    if (path[0] === 'cases' && typeof path[1] === 'number') {
      const id = (cases?.[path[1]] as { id?: unknown } | undefined)?.id;
      const label = typeof id === 'string' ? `case "${id}" (cases[${path[1]}])` : `cases[${path[1]}]`;
      const field = fieldPath(path.slice(2));
      return `${where}: ${label}: ${field ? `${field}: ` : ''}${message}`;
    }
    return `${where}: ${path.length > 0 ? `${fieldPath(path)}: ` : ''}${message}`;
  };
}

/** Parses and validates a suite's YAML text; `file` names it in every problem. */
export function parseSuite(text: string, file: string): Result<Suite, SuiteError> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    return fail(
      new SuiteError(
        doc.errors.map((e) => {
          const at = e.linePos?.[0];
          const message = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
          return `${file}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML: ${message}`;
        }),
      ),
    );
  }
  const raw: unknown = doc.toJS();
  const locate = (path: Path): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      const range = isScalar(node) || isMap(node) ? node.range : (node as { range?: number[] })?.range;
      if (range?.[0] !== undefined) return lines.linePos(range[0]).line;
    }
    return undefined;
  };
  const format = formatter(file, raw, locate);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail(new SuiteError([`${file}: must be a mapping with a "cases" list`]));
  }
  const parsed = suiteSchema.safeParse(raw);
  if (!parsed.success) {
    return fail(new SuiteError(parsed.error.issues.flatMap(issueMessages).map(format)));
  }
  const problems = semanticProblems(parsed.data);
  if (problems.length > 0) return fail(new SuiteError(problems.map(format)));
  const { suite: name, ...rest } = parsed.data;
  return ok({ ...rest, name: name ?? basename(file).replace(/\.ya?ml$/i, ''), file });
}

/** Reads a suite: a path to a YAML file, or the name of one in `<cwd>/evals/` (`golden`). */
export function loadSuite(nameOrPath: string, cwd: string): Result<Suite, SuiteError> {
  const file = resolveSuiteFile(nameOrPath, cwd);
  if (!file.ok) return file;
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file.value), 'utf8');
  } catch (error) {
    return fail(new SuiteError([`${file.value}: cannot be read (${(error as Error).message})`]));
  }
  return parseSuite(text, file.value);
}

function resolveSuiteFile(nameOrPath: string, cwd: string): Result<string, SuiteError> {
  if (existsSync(resolve(cwd, nameOrPath))) return ok(nameOrPath);
  for (const ext of ['.yaml', '.yml']) {
    const candidate = join('evals', `${nameOrPath}${ext}`);
    if (existsSync(resolve(cwd, candidate))) return ok(candidate);
  }
  const dir = resolve(cwd, 'evals');
  const known = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/i.test(f))
        .map((f) => f.replace(/\.ya?ml$/i, ''))
    : [];
  const hint = known.length > 0 ? `; suites in evals/: ${known.join(', ')}` : '; evals/ has no suite here';
  return fail(
    new SuiteError([`no suite "${nameOrPath}": neither a file nor evals/${nameOrPath}.yaml${hint}`]),
  );
}
