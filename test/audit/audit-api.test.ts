import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { getJson, postJson } from '../support/http.js';
import { waitForTask } from '../support/tasks.js';
import { bearer, type SeededKey, seedMember } from '../support/tenants.js';

interface Page {
  events: Array<Record<string, unknown> & { action: string; tenant_id: string; seq: number }>;
  next_cursor: string | null;
}

const blocks = async (berth: BerthInstance) => {
  const text = await (await fetch(`${berth.url}/metrics`)).text();
  return Object.fromEntries(
    [...text.matchAll(/^berth_guardrail_blocks_total\{rule="(\w+)"\} (\d+)/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]),
  );
};

describe('GET /api/audit and the guardrail counter', { timeout: 120_000 }, () => {
  let berth: BerthInstance;
  let admin: SeededKey;
  let member: SeededKey;
  let viewer: SeededKey;
  let outsider: SeededKey;
  const audit = (key: SeededKey, query = '') => getJson<Page>(`${berth.url}/api/audit${query}`, bearer(key));
  // Appends run on the bus after the response; give them a moment to commit.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  beforeAll(async () => {
    berth = await startBerth({
      env: {
        BERTH_RATE_LIMIT_PER_MINUTE: '40',
        BERTH_MAX_MESSAGE_CHARS: '100',
        BERTH_BODY_LIMIT_BYTES: '4096',
      },
    });
    admin = await seedMember(berth, 'acme', 'ada', 'admin');
    member = await seedMember(berth, 'acme', 'alice', 'member');
    viewer = await seedMember(berth, 'acme', 'vera', 'viewer');
    outsider = await seedMember(berth, 'globex', 'mallory', 'owner');
  });
  afterAll(() => berth?.close());

  it('records writes and key changes in the tenant chain, filtered, and to no other tenant', async () => {
    const task = await postJson<{ task_id: string }>(
      `${berth.url}/api/tasks`,
      { description: 'what is a harbour?' },
      bearer(member),
    );
    await waitForTask(berth.url, task.body.task_id, { headers: bearer(member) });
    await settle();
    const all = await audit(admin, '?limit=1000');
    expect(all.status).toBe(200);
    const actions = all.body.events.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['member.added', 'key.created', 'http.write', 'task.created', 'task.finished']),
    );
    expect(all.body.events.every((e) => e.tenant_id === 'acme')).toBe(true);
    expect(all.body.events.map((e) => e.seq)).toEqual(all.body.events.map((_, i) => i + 1));
    const write = all.body.events.find((e) => e.action === 'http.write');
    expect(write).toMatchObject({
      actor_user: 'alice',
      actor_key: member.id,
      outcome: 'ok',
      details: { method: 'POST', route: '/api/tasks', status: 202 },
    });
    expect(JSON.stringify(all.body)).not.toContain('harbour');
    const byRequest = await audit(admin, `?request_id=${write?.request_id}`);
    expect(byRequest.body.events.map((e) => e.action).sort()).toEqual(['http.write', 'task.created']);
    const firstTwo = await audit(admin, '?limit=2');
    expect(firstTwo.body.events.map((e) => e.seq)).toEqual([1, 2]);
    const next = await audit(admin, `?limit=2&cursor=${firstTwo.body.next_cursor}`);
    expect(next.body.events.map((e) => e.seq)).toEqual([3, 4]);
    const theirs = await audit(outsider);
    expect(theirs.body.events.some((e) => JSON.stringify(e).includes('acme'))).toBe(false);
    expect((await audit(outsider, '?tenant_id=acme')).status).toBe(403);
    expect((await audit(member)).status).toBe(403);
  });

  // Each guardrail, how to trip it, and the counter it must move.
  const rules: Array<{ rule: string; trip(): Promise<number> }> = [
    {
      rule: 'forbidden',
      trip: async () =>
        (await postJson(`${berth.url}/api/tasks`, { description: 'x' }, bearer(viewer))).status,
    },
    {
      rule: 'oversized_input',
      trip: async () =>
        (await postJson(`${berth.url}/api/chat`, { message: 'x'.repeat(101) }, bearer(member))).status,
    },
    {
      rule: 'oversized_input',
      trip: async () =>
        (await postJson(`${berth.url}/api/chat`, { message: 'x'.repeat(5000) }, bearer(member))).status,
    },
    {
      rule: 'rate_limit',
      trip: async () => {
        let status = 0;
        for (let i = 0; i < 45 && status !== 429; i++)
          status = (await getJson(`${berth.url}/api/me`, bearer(outsider))).status;
        return status;
      },
    },
  ];
  for (const [i, { rule, trip }] of rules.entries()) {
    it(`counts and audits a ${rule} refusal (${i})`, async () => {
      const before = await blocks(berth);
      const status = await trip();
      expect([400, 403, 413, 429]).toContain(status);
      await settle();
      const after = await blocks(berth);
      expect(after[rule]).toBe((before[rule] ?? 0) + 1);
      // globex's owner is still rate limited and cannot read its chain now; acme's admin reads acme's.
      if (rule === 'rate_limit') return;
      const denied = await audit(admin, '?outcome=blocked&limit=1000');
      expect(denied.body.events.some((e) => e.blocked_by_rule === rule && e.action === 'access.denied')).toBe(
        true,
      );
    });
  }

  it('writes no audit row for requests with no credential proven: a flood of wrong keys costs no store write', async () => {
    const rows = async () => {
      const result = (await berth.app.store.db.execute(sql`SELECT count(*)::int AS n FROM audit_events`)) as {
        rows: Array<{ n: number }>;
      };
      return result.rows[0]?.n;
    };
    await settle();
    const before = await rows();
    const refused = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        postJson(`${berth.url}/api/tasks`, { description: 'x' }, { authorization: `Bearer wrong-${i}` }),
      ),
    );
    expect(refused.map((reply) => reply.status)).toEqual(Array(30).fill(401));
    await settle();
    expect(await rows()).toBe(before);
  });

  it('counts an SSRF-blocked fetch step', async () => {
    const before = await blocks(berth);
    const task = await postJson<{ task_id: string }>(
      `${berth.url}/api/tasks`,
      { description: 'Summarise http://127.0.0.1:9/secret' },
      bearer(member),
    );
    expect(task.status).toBe(202);
    await waitForTask(berth.url, task.body.task_id, { headers: bearer(member) });
    await settle();
    expect((await blocks(berth)).ssrf).toBe((before.ssrf ?? 0) + 1);
    const page = await audit(admin, '?action=step.failed');
    expect(page.body.events.at(-1)).toMatchObject({
      outcome: 'blocked',
      blocked_by_rule: 'ssrf',
      details: { error_code: 'ssrf_blocked' },
    });
  });
});
