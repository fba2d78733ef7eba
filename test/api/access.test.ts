import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/modules/identity/index.js';
import { declaredRoutes } from '../../src/platform/http/index.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { sampleEvalReport } from '../support/eval-report.js';
import { getJson, postJson } from '../support/http.js';
import { waitForTask } from '../support/tasks.js';
import { bearer, type SeededKey, seedMember } from '../support/tenants.js';

/**
 * Generated from the route table: every route, with every credential an attacker might hold and
 * every spelling of its path a router might decode or normalise. A route added later is covered
 * without a line here — or, if it is public or takes a body, the test fails until it is listed.
 */

/** Routes anyone may call: probes, the API document, the UI and its files, the sign-in flow. */
const PUBLIC = [/^\/(healthz|health|readyz|ready|startupz|metrics)$/, /^\/api\/openapi\.json$/, /^\/auth\//];
const isUiRoute = (url: string) => !url.startsWith('/api/') && !url.startsWith('/v1/');

/** A body the route would accept if the caller were allowed: the attack must fail on access, not on validation. */
function sampleBody(method: string, url: string, ids: Ids): unknown {
  const bodies: Record<string, unknown> = {
    'POST /api/tenants': { id: 'probe-tenant' },
    'POST /api/tenants/:tenant/users': { user_id: 'probe-user', role: 'owner' },
    'POST /api/tenants/:tenant/keys': { name: 'probe key', role: 'owner' },
    'POST /api/tenants/:tenant/keys/:key/revoke': undefined,
    'POST /api/chat': { message: 'probe', conversation_id: ids.conversation },
    'POST /v1/agent/infer': { user_id: 'alice', workflow: 'default', input: { text: 'probe' } },
    'POST /v1/chat/completions': { model: 'default', messages: [{ role: 'user', content: 'probe' }] },
    'POST /v1/embeddings': { model: 'default', input: 'probe' },
    'POST /api/tasks': { description: 'probe task' },
    'POST /api/task': { description: 'probe task' },
    'POST /api/tasks/:id/cancel': undefined,
    'POST /api/evals': sampleEvalReport('probe'),
    'POST /api/approvals/:id/approve': {},
    'POST /api/approvals/:id/reject': { reason: 'probe' },
    // An MCP call that reads alice's task: it must reach no one but alice's tenant.
    'POST /mcp': {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'get_task', arguments: { task_id: ids.task } },
    },
    'DELETE /mcp': undefined,
  };
  const key = `${method} ${url}`;
  if (!(key in bodies)) throw new Error(`No sample body for ${key}: add one to test/api/access.test.ts`);
  return bodies[key];
}

interface Ids {
  task: string;
  step: string;
  conversation: string;
  aliceKey: string;
}

/** The route's path with alice's resources in tenant acme. */
function concretePath(url: string, ids: Ids): string {
  const id = url.startsWith('/api/conversations') ? ids.conversation : ids.task;
  return url
    .replace(':tenant', 'acme')
    .replace(':user_id', 'alice')
    .replace(':step_id', ids.step)
    .replace(':key', ids.aliceKey)
    .replace(':id', id);
}

/** Spellings of one path that a router may decode or normalise into it (or into another route). */
function spellings(path: string): string[] {
  const [, first = '', ...rest] = path.split('/');
  const tail = rest.length > 0 ? `/${rest.join('/')}` : '';
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  return [
    `/${hex(first[0] ?? 'a')}${first.slice(1)}${tail}`,
    `/${first.slice(0, -1)}${hex(first.at(-1) ?? 'a').toUpperCase()}${tail}`,
    `/%25${first.charCodeAt(0).toString(16)}${first.slice(1)}${tail}`,
    `/${first}${tail.replace('/', '%2F')}`,
    `/${first}${tail.replace('/', '%2f')}`,
    `//${first}/${tail}`,
    `${path}/`,
    `/./${first}${tail}`,
    `/${first}/.${tail}`,
    `/x/../${first}${tail}`,
    `/${first}/%2e%2e/${first}${tail}`,
    `/${first.toUpperCase()}${tail}`,
    `${path}%00`,
  ];
}

interface RawReply {
  status: number;
  body: string;
}

/** A request with the path exactly as given (fetch would normalise it). */
function rawRequest(
  method: string,
  url: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  return new Promise<RawReply>((resolve, reject) => {
    const target = new URL(url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          // An event stream that was (wrongly) opened would never end: what came so far is enough.
          if (res.headers['content-type']?.startsWith('text/event-stream')) req.destroy();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('close', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.end(payload);
  });
}

const SECRETS = ['alice-secret-message', 'alice-secret-task'];
const isEnvelope = (body: string) => {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; request_id?: string } };
    return typeof parsed.error?.code === 'string' && typeof parsed.error.request_id === 'string';
  } catch {
    return false;
  }
};

describe('access to every route', { timeout: 120_000 }, () => {
  let berth: BerthInstance;
  let alice: SeededKey;
  let vera: SeededKey;
  let outsider: SeededKey;
  let ids: Ids;
  let routes: Array<{ method: string; url: string; permission: string }>;

  beforeAll(async () => {
    berth = await startBerth();
    alice = await seedMember(berth, 'acme', 'alice', 'member');
    vera = await seedMember(berth, 'acme', 'vera', 'viewer');
    outsider = await seedMember(berth, 'globex', 'mallory', 'owner');
    const chat = await postJson<{ conversation_id: string }>(
      `${berth.url}/api/chat`,
      { message: 'alice-secret-message' },
      bearer(alice),
    );
    const task = await postJson<{ task_id: string }>(
      `${berth.url}/api/tasks`,
      { description: 'alice-secret-task: what is a harbour?' },
      bearer(alice),
    );
    const done = await waitForTask(berth.url, task.body.task_id, { headers: bearer(alice) });
    ids = {
      task: task.body.task_id,
      step: done.steps[0]?.step_id as string,
      conversation: chat.body.conversation_id,
      aliceKey: alice.id,
    };
    routes = declaredRoutes(berth.app.http).filter((r) => r.method !== 'HEAD');
  });
  afterAll(() => berth?.close());

  it('has a declared permission on every route, and only the known public ones are public', () => {
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      expect(route.permission, `${route.method} ${route.url}`).not.toBe('');
      if (route.permission === 'public') {
        const known = PUBLIC.some((p) => p.test(route.url)) || isUiRoute(route.url);
        expect(known, `${route.method} ${route.url} is public`).toBe(true);
      }
    }
  });

  const protectedRoutes = () => routes.filter((r) => r.permission !== 'public');

  it('refuses every protected route without a credential and with a wrong one', async () => {
    for (const route of protectedRoutes()) {
      const path = concretePath(route.url, ids);
      const body = route.method === 'GET' ? undefined : sampleBody(route.method, route.url, ids);
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer berth_not-a-real-key' },
        { authorization: `Basic ${alice.key}` },
      ];
      for (const headers of attempts) {
        const reply = await rawRequest(route.method, berth.url, path, headers, body);
        expect(reply.status, `${route.method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(isEnvelope(reply.body)).toBe(true);
      }
    }
  });

  it("never gives another tenant's owner or a viewer anything of alice's", async () => {
    for (const route of protectedRoutes()) {
      const path = concretePath(route.url, ids);
      const body = route.method === 'GET' ? undefined : sampleBody(route.method, route.url, ids);
      for (const caller of [outsider, vera]) {
        const reply = await rawRequest(route.method, berth.url, path, bearer(caller), body);
        const what = `${route.method} ${path} as ${caller.user}`;
        for (const secret of SECRETS) expect(reply.body, what).not.toContain(secret);
        expect(reply.body, what).not.toContain(alice.key.slice(0, 16));
        // Whatever names alice's own resources, or acme's administration, is refused outright.
        if (caller === outsider && /:(id|tenant|key)\b/.test(route.url)) {
          expect([403, 404], what).toContain(reply.status);
        }
        if (caller === vera && route.method === 'POST') expect([403, 404], what).toContain(reply.status);
      }
    }
    // Nothing they tried changed alice's world.
    const task = await getJson<{ status: string }>(`${berth.url}/api/tasks/${ids.task}`, bearer(alice));
    expect(task.body.status).toBe('completed');
    expect((await getJson(`${berth.url}/api/me`, bearer(alice))).status).toBe(200);
    const tenants = await berth.app.identity.listTenants(systemActor());
    expect(tenants.map((t) => t.id)).not.toContain('probe-tenant');
  });

  it('reaches no handler through a path a router decodes or normalises', async () => {
    for (const route of protectedRoutes()) {
      const path = concretePath(route.url, ids);
      const body = route.method === 'GET' ? undefined : sampleBody(route.method, route.url, ids);
      for (const spelling of spellings(path)) {
        for (const headers of [{}, bearer(outsider)] as Array<Record<string, string>>) {
          const reply = await rawRequest(route.method, berth.url, spelling, headers, body);
          const what = `${route.method} ${spelling}${'authorization' in headers ? ' as mallory' : ''}`;
          for (const secret of SECRETS) expect(reply.body, what).not.toContain(secret);
          // Decoded into the same route, a valid key of another tenant gets what it gets there: its own.
          if ('authorization' in headers) {
            if (/:(id|tenant|key)\b/.test(route.url)) expect(reply.status, what).toBeGreaterThanOrEqual(400);
          } else {
            expect([400, 401, 404], what).toContain(reply.status);
            expect(isEnvelope(reply.body), what).toBe(true);
          }
        }
      }
    }
  });
});
