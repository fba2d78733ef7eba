import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/modules/identity/index.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';
import { waitForTask } from '../support/tasks.js';
import { bearer, type SeededKey, seedMember } from '../support/tenants.js';

interface TaskList {
  tasks: Array<{ task_id: string; user_id: string }>;
}
interface Conversations {
  conversations: Array<{ id: string }>;
}

describe('tenants and users see only what their role allows', { timeout: 60_000 }, () => {
  let berth: BerthInstance;
  const who: Record<string, SeededKey> = {};
  const made: Record<string, { task: string; conversation: string }> = {};
  const get = <T = ErrorBody>(path: string, as: string) =>
    getJson<T>(`${berth.url}${path}`, bearer(who[as] as SeededKey));
  const post = <T = ErrorBody>(path: string, body: unknown, as: string) =>
    postJson<T>(`${berth.url}${path}`, body, bearer(who[as] as SeededKey));

  beforeAll(async () => {
    berth = await startBerth();
    for (const [name, role] of [
      ['alice', 'member'],
      ['bob', 'member'],
      ['olga', 'operator'],
      ['adam', 'admin'],
      ['vera', 'viewer'],
    ] as const) {
      who[name] = await seedMember(berth, 'acme', name, role);
    }
    who.gina = await seedMember(berth, 'globex', 'gina', 'owner');
    for (const name of ['alice', 'bob', 'gina']) {
      const chat = await post<{ conversation_id: string }>('/api/chat', { message: `${name} says hi` }, name);
      const task = await post<{ task_id: string }>('/api/tasks', { description: `${name}'s question` }, name);
      await waitForTask(berth.url, task.body.task_id, { headers: bearer(who[name] as SeededKey) });
      made[name] = { task: task.body.task_id, conversation: chat.body.conversation_id };
    }
  });
  afterAll(() => berth?.close());

  it('says who the caller is', async () => {
    const me = await get<Record<string, unknown>>('/api/me', 'olga');
    expect(me.body).toMatchObject({
      tenant_id: 'acme',
      user_id: 'olga',
      role: 'operator',
      via: 'key',
      auth_required: true,
    });
  });

  it("keeps a member out of another member's tasks and conversations", async () => {
    const alice = made.alice as { task: string; conversation: string };
    const tasks = await get<TaskList>('/api/tasks', 'bob');
    expect(tasks.body.tasks.map((t) => t.task_id)).toEqual([made.bob?.task]);
    for (const path of [
      `/api/tasks/${alice.task}`,
      `/api/tasks/${alice.task}/events`,
      `/api/conversations/${alice.conversation}`,
    ]) {
      expect((await get(path, 'bob')).status, path).toBe(404);
    }
    expect((await post(`/api/tasks/${alice.task}/cancel`, {}, 'bob')).status).toBe(404);
    const conversations = await get<Conversations>('/api/conversations', 'bob');
    expect(conversations.body.conversations.map((c) => c.id)).toEqual([made.bob?.conversation]);
    for (const path of [
      '/api/conversations?user_id=alice',
      '/api/chat/history/alice',
      '/api/tasks?user_id=alice',
    ]) {
      const reply = await get(path, 'bob');
      expect(reply.status, path).toBe(403);
      expect(reply.body.error.code).toBe('forbidden');
    }
  });

  it("refuses a user_id that is not the caller's own, and a conversation that is not its own", async () => {
    const alice = made.alice as { task: string; conversation: string };
    const asAlice = await post('/api/chat', { message: 'I am alice', user_id: 'alice' }, 'bob');
    expect(asAlice.status).toBe(403);
    expect((await post('/api/tasks', { description: 'x', user_id: 'alice' }, 'bob')).status).toBe(403);
    expect(
      (await post('/v1/agent/infer', { user_id: 'alice', workflow: 'default', input: { text: 'x' } }, 'bob'))
        .status,
    ).toBe(403);
    const append = await post(
      '/api/chat',
      { message: 'into her chat', conversation_id: alice.conversation },
      'bob',
    );
    expect(append.status).toBe(404);
    expect((await post('/api/chat', { message: 'mine', user_id: 'bob' }, 'bob')).status).toBe(200);
    const history = await get<{ messages: Array<{ content: string }> }>('/api/chat/history/alice', 'alice');
    expect(history.body.messages.map((m) => m.content)).not.toContain('into her chat');
  });

  it("lets an operator see and cancel everyone's tasks, but not read their conversations", async () => {
    const tasks = await get<TaskList>('/api/tasks', 'olga');
    expect(tasks.body.tasks.map((t) => t.user_id).sort()).toEqual(['alice', 'bob']);
    expect((await get(`/api/tasks/${made.alice?.task}`, 'olga')).status).toBe(200);
    // Past access: the task is done, so the answer is a conflict, not a refusal.
    expect((await post(`/api/tasks/${made.alice?.task}/cancel`, {}, 'olga')).body.error.code).toBe(
      'conflict',
    );
    expect((await get('/api/conversations?user_id=alice', 'olga')).status).toBe(403);
  });

  it('lets an admin act for a user of its tenant and manage its keys, never above its own role', async () => {
    const theirs = await get<Conversations>('/api/conversations?user_id=alice', 'adam');
    expect(theirs.body.conversations.map((c) => c.id)).toContain(made.alice?.conversation);
    const forAlice = await post<{ conversation_id: string }>(
      '/api/chat',
      { message: 'on behalf of alice', user_id: 'alice', conversation_id: made.alice?.conversation },
      'adam',
    );
    expect(forAlice.status).toBe(200);
    expect((await get('/api/tenants/acme/keys', 'adam')).status).toBe(200);
    expect((await get('/api/tenants/globex/keys', 'adam')).status).toBe(403);
    const owner = await post('/api/tenants/acme/keys', { name: 'escalate', role: 'owner' }, 'adam');
    expect(owner.status).toBe(403);
    const member = await post<{ key: string; role: string }>(
      '/api/tenants/acme/keys',
      { name: 'new member key' },
      'adam',
    );
    expect(member.status).toBe(201);
    expect(member.body.role).toBe('member');
    expect(
      (await getJson(`${berth.url}/api/me`, { authorization: `Bearer ${member.body.key}` })).status,
    ).toBe(200);
    expect((await post('/api/tenants', { id: 'made-by-admin' }, 'adam')).status).toBe(403);
  });

  it('lets a viewer read only its own and write nothing', async () => {
    expect((await post('/api/tasks', { description: 'x' }, 'vera')).status).toBe(403);
    expect((await post('/api/chat', { message: 'x' }, 'vera')).status).toBe(403);
    expect((await get<TaskList>('/api/tasks', 'vera')).body.tasks).toEqual([]);
    expect((await get('/api/agents', 'vera')).status).toBe(200);
  });

  it("shows another tenant's owner none of acme's data", async () => {
    const tasks = await get<TaskList>('/api/tasks', 'gina');
    expect(tasks.body.tasks.map((t) => t.task_id)).toEqual([made.gina?.task]);
    for (const path of [
      `/api/tasks/${made.alice?.task}`,
      `/api/tasks/${made.alice?.task}/events`,
      `/api/conversations/${made.alice?.conversation}`,
    ]) {
      expect((await get(path, 'gina')).status, path).toBe(404);
    }
    expect((await get('/api/chat/history/alice', 'gina')).body).toEqual({ messages: [] });
    expect((await get('/api/tenants/acme/users', 'gina')).status).toBe(403);
    const tenants = await get<{ tenants: Array<{ id: string }> }>('/api/tenants', 'gina');
    expect(tenants.body.tenants.map((t) => t.id)).toEqual(['globex']);
    // The same idempotency key in two tenants makes two tasks.
    const headers = { 'idempotency-key': 'same-key' };
    const a = await postJson<{ task_id: string }>(
      `${berth.url}/api/tasks`,
      { description: 'q' },
      { ...bearer(who.alice as SeededKey), ...headers },
    );
    const b = await postJson<{ task_id: string }>(
      `${berth.url}/api/tasks`,
      { description: 'q' },
      { ...bearer(who.gina as SeededKey), ...headers },
    );
    expect(a.body.task_id).not.toBe(b.body.task_id);
  });
});

describe('auth, once on, stays on', () => {
  it('refuses everyone after the last key is revoked', async () => {
    const berth = await startBerth();
    try {
      expect((await getJson(`${berth.url}/api/me`)).status).toBe(200);
      const only = await seedMember(berth, 'default', 'local', 'owner');
      expect((await getJson(`${berth.url}/api/me`)).status).toBe(401);
      await berth.app.identity.revokeKey(systemActor(), 'default', only.id);
      for (const headers of [{}, { authorization: 'Bearer garbage' }, bearer(only)]) {
        expect((await getJson(`${berth.url}/api/me`, headers)).status).toBe(401);
      }
    } finally {
      await berth.close();
    }
  });
});
