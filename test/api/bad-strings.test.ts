import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/store.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { sampleEvalReport } from '../support/eval-report.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai-server.js';

/**
 * Every string input of every operation in the served OpenAPI document gets a NUL, a C0 control, a
 * C1 control and a lone surrogate; each must be refused with a 4xx envelope before any work is done.
 * The operations come from the document, so a new route is tested (or fails the test) by itself.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
};
interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
type Path = Array<string | number>;

const BAD = [
  { name: 'NUL', value: '\u0000', encoded: '%00' },
  { name: 'C0 control (BEL)', value: '\u0007', encoded: '%07' },
  { name: 'C1 control (NEL)', value: '\u0085', encoded: '%C2%85' },
  // No UTF-8 encodes a lone surrogate; the bytes a careless encoder writes for one.
  { name: 'lone surrogate', value: '\ud800', encoded: '%ED%A0%80' },
] as const;

/** What the guard says about a refused string (see src/platform/http/string-guard.ts). */
const GUARD_MESSAGE = /control character|well-formed Unicode|percent-encoded UTF-8/;

/** A request each operation accepts, apart from the string under test (bodies and path values by hand). */
const validBodies: Record<string, unknown> = {
  'POST /api/tenants': { id: 'edge-tenant', name: 'Edge' },
  'POST /api/tenants/{tenant}/users': { user_id: 'edge-user', role: 'member' },
  'POST /api/tenants/{tenant}/keys': { name: 'edge-key', role: 'member', user_id: 'edge-user' },
  'POST /api/chat': { message: 'hello' },
  'POST /v1/agent/infer': { user_id: 'local', workflow: 'default', input: { text: 'hello' } },
  'POST /v1/chat/completions': { model: 'default', messages: [{ role: 'user', content: 'hello' }] },
  'POST /v1/embeddings': { model: 'default', input: 'hello' },
  'POST /api/tasks': { description: 'hello' },
  'POST /api/task': { description: 'hello' },
  'POST /api/evals': sampleEvalReport('edge'),
  'POST /api/approvals/{id}/approve': {},
  'POST /api/approvals/{id}/reject': { reason: 'hello' },
  'POST /mcp': { jsonrpc: '2.0', id: 'edge', method: 'tools/list', params: {} },
};
const pathValues: Record<string, string> = {
  tenant: 'default',
  key: '00000000-0000-4000-8000-000000000001',
  user_id: 'local',
  id: '00000000-0000-4000-8000-000000000002',
  step_id: '00000000-0000-4000-8000-000000000003',
};

const isString = (schema: Schema) =>
  schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'));

/** Every path in a body schema that holds a string, through objects, arrays, records and unions. */
function stringPaths(schema: Schema | undefined, at: Path = [], depth = 0): Path[] {
  if (!schema || depth > 8) return [];
  const found: Path[] = isString(schema) ? [at] : [];
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    found.push(...stringPaths(branch, at, depth + 1));
  }
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    found.push(...stringPaths(property, [...at, key], depth + 1));
  }
  if (schema.items) found.push(...stringPaths(schema.items, [...at, 0], depth + 1));
  if (typeof schema.additionalProperties === 'object') {
    found.push(...stringPaths(schema.additionalProperties, [...at, 'edge_key'], depth + 1));
  }
  const unique = new Map(found.map((path) => [path.join('.'), path]));
  return [...unique.values()];
}

/** A copy of `value` with `leaf` at `path`, making the objects and arrays on the way. */
function withValue(value: unknown, path: Path, leaf: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return leaf;
  if (typeof head === 'number') {
    const array = Array.isArray(value) ? [...value] : [];
    array[head] = withValue(array[head], rest, leaf);
    return array;
  }
  const object = value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...value } : {};
  (object as Record<string, unknown>)[head] = withValue(
    (object as Record<string, unknown>)[head],
    rest,
    leaf,
  );
  return object;
}

interface Case {
  /** `METHOD /path/{param}` as in the document. */
  op: string;
  label: string;
  method: string;
  url: string;
  body?: string;
  /** The field the refusal must name; undefined when the router refuses the URL before any field exists. */
  field?: string;
}

function fillPath(template: string, replace?: { name: string; encoded: string }): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === replace?.name) return `x${replace.encoded}y`;
    const value = pathValues[name];
    if (value === undefined)
      throw new Error(`no test value for path parameter {${name}}: add it to pathValues`);
    return encodeURIComponent(value);
  });
}

/** The cases for one operation, or the reason it cannot be tested. */
function casesFor(method: string, path: string, operation: Operation): Case[] {
  const op = `${method.toUpperCase()} ${path}`;
  const params = operation.parameters ?? [];
  const jsonBody = operation.requestBody?.content?.['application/json']?.schema;
  const bodyPaths = stringPaths(jsonBody);
  const stringParams = params.filter(
    (p) => (p.in === 'path' || p.in === 'query') && p.schema && isString(p.schema),
  );
  if (bodyPaths.length > 0 && !(op in validBodies)) {
    throw new Error(`${op} has string body fields but no valid body in validBodies: add one`);
  }
  const base = jsonBody ? JSON.stringify(validBodies[op] ?? {}) : undefined;
  const url = fillPath(path);
  const cases: Case[] = [];
  for (const bad of BAD) {
    for (const param of stringParams) {
      if (param.in === 'path') {
        // A lone surrogate cannot be decoded from a path segment: the router refuses the URL.
        const field = bad.name === 'lone surrogate' ? undefined : `params.${param.name}`;
        cases.push({
          op,
          label: `${op} {${param.name}} ${bad.name}`,
          method,
          url: fillPath(path, { name: param.name, encoded: bad.encoded }),
          body: base,
          field,
        });
      } else {
        cases.push({
          op,
          label: `${op} ?${param.name} ${bad.name}`,
          method,
          url: `${url}?${param.name}=x${bad.encoded}y`,
          body: base,
          field: `query.${param.name}`,
        });
      }
    }
    for (const at of bodyPaths) {
      const body = JSON.stringify(withValue(validBodies[op], at, `x${bad.value}y`));
      cases.push({
        op,
        label: `${op} body.${at.join('.')} ${bad.name}`,
        method,
        url,
        body,
        field: ['body', ...at].join('.'),
      });
    }
  }
  return cases;
}

interface Reply {
  status: number;
  text: string;
  requestId: string | null;
  body: {
    error?: { code?: string; request_id?: string; details?: Array<{ field: string; message: string }> };
  };
}

async function send(berth: BerthInstance, testCase: Case): Promise<Reply> {
  const response = await fetch(`${berth.url}${testCase.url}`, {
    method: testCase.method.toUpperCase(),
    headers: testCase.body === undefined ? {} : { 'content-type': 'application/json' },
    body: testCase.body,
  });
  const text = await response.text();
  let body: Reply['body'] = {};
  try {
    body = JSON.parse(text) as Reply['body'];
  } catch {
    // Not JSON: the envelope check fails and reports the text.
  }
  return { status: response.status, text, requestId: response.headers.get('x-request-id'), body };
}

async function rowCounts(berth: BerthInstance): Promise<Record<string, number>> {
  const tables = await queryRows<{ table_name: string }>(
    berth.app.store.db,
    sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  // The audit log records every refused write by design (docs/audit.md): refusals add to it, nothing else.
  for (const { table_name } of tables.filter((t) => !t.table_name.startsWith('audit_'))) {
    const [row] = await queryRows<{ n: number | string }>(
      berth.app.store.db,
      sql.raw(`SELECT count(*) AS n FROM "${table_name}"`),
    );
    counts[table_name] = Number(row?.n);
  }
  return counts;
}

describe('strings with control characters or lone surrogates, on every operation of the API', () => {
  let fake: FakeOpenAI;
  let berth: BerthInstance;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    berth = await startBerth({
      env: { BERTH_LLM_PROVIDER: 'openai-compatible', BERTH_LLM_MODEL: 'x', BERTH_LLM_BASE_URL: fake.url },
    });
  });
  afterAll(async () => {
    await berth?.close();
    await fake?.close();
  });

  it('refuses each one with a 4xx envelope naming the field, without calling the model or writing', async () => {
    const document = (await (await fetch(`${berth.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const cases = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) => casesFor(method, path, operation)),
    );
    // The document must describe the routes this test knows take strings; an empty list proves nothing.
    const covered = new Set(cases.map((c) => c.op));
    for (const op of Object.keys(validBodies)) expect(covered).toContain(op);
    expect(covered).toContain('GET /api/tasks/{id}');
    expect(covered).toContain('GET /api/conversations');

    const before = await rowCounts(berth);
    fake.reset();
    const failures: string[] = [];
    const refusedCaller = new Map<string, number>();
    for (const testCase of cases) {
      const reply = await send(berth, testCase);
      const envelope =
        reply.status >= 400 &&
        reply.status < 500 &&
        typeof reply.body.error?.code === 'string' &&
        reply.body.error.request_id === reply.requestId;
      const named = reply.body.error?.details?.find(
        (d) => d.field === testCase.field && GUARD_MESSAGE.test(d.message),
      );
      const guarded =
        testCase.field === undefined
          ? reply.body.error?.code === 'bad_request'
          : reply.body.error?.code === 'validation_failed' && named !== undefined;
      // An operation closed to this caller (creating tenants takes the system actor) is refused
      // before its input is read; checked below with a valid request. Not 401: auth is off here,
      // and only a key written by an earlier request could turn it on.
      if (envelope && reply.status === 403) refusedCaller.set(testCase.op, reply.status);
      else if (!envelope || !guarded)
        failures.push(`${testCase.label}: ${reply.status} ${reply.text.slice(0, 300)}`);
    }
    for (const [op, status] of refusedCaller) {
      const [method = '', path = ''] = op.split(' ');
      const valid = validBodies[op];
      const control = await send(berth, {
        op,
        label: op,
        method,
        url: fillPath(path),
        body: valid === undefined ? undefined : JSON.stringify(valid),
      });
      if (control.status !== status)
        failures.push(
          `${op}: refused bad strings with ${status}, but a valid request with ${control.status}`,
        );
    }
    expect(failures).toEqual([]);
    expect(fake.chatRequests()).toHaveLength(0);
    expect(await rowCounts(berth)).toEqual(before);
    expect(cases.length).toBeGreaterThan(100);
  });
});
