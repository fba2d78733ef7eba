import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';

interface ConversationList {
  conversations: Array<{
    id: string;
    agent: string;
    title: string | null;
    tokens_used: number;
    created_at: string;
    updated_at: string;
  }>;
}

describe('GET /api/conversations', () => {
  let berth: BerthInstance;
  beforeAll(async () => {
    berth = await startBerth();
  });
  afterAll(() => berth?.close());

  const chat = async (body: Record<string, unknown>) => {
    const reply = await postJson<{ conversation_id: string }>(`${berth.url}/api/chat`, body);
    expect(reply.status).toBe(200);
    return reply.body.conversation_id;
  };
  const list = (query: string) =>
    getJson<ConversationList & ErrorBody>(`${berth.url}/api/conversations${query}`);

  it("lists a user's conversations, most recently active first, titled by their first message", async () => {
    const first = await chat({ user_id: 'lena', message: 'Summarise: tides rise. Tides fall. Moons pull.' });
    const second = await chat({ user_id: 'lena', message: 'Hello there' });
    await chat({ user_id: 'lena', conversation_id: first, message: 'And a follow-up' });
    await chat({ user_id: 'someone-else', message: 'Not yours' });

    const reply = await list('?user_id=lena');
    expect(reply.status).toBe(200);
    expect(reply.body.conversations.map((c) => c.id)).toEqual([first, second]);
    const [top] = reply.body.conversations;
    expect(top).toMatchObject({
      agent: 'default',
      title: 'Summarise: tides rise. Tides fall. Moons pull.',
    });
    expect(top?.tokens_used).toBeGreaterThan(0);
    expect(Date.parse(top?.updated_at ?? '')).toBeGreaterThanOrEqual(Date.parse(top?.created_at ?? ''));
  });

  it('cuts long titles and honours the limit', async () => {
    await chat({ user_id: 'max', message: `Summarise: ${'word '.repeat(100)}` });
    await chat({ user_id: 'max', message: 'short one' });
    const reply = await list('?user_id=max&limit=1');
    expect(reply.body.conversations).toHaveLength(1);
    expect(reply.body.conversations[0]?.title).toBe('short one');
    const all = await list('?user_id=max');
    expect(all.body.conversations[1]?.title).toHaveLength(120);
  });

  it('lists the conversations of chats sent without a user id by default', async () => {
    const id = await chat({ message: 'No user given' });
    const reply = await list('');
    expect(reply.body.conversations.map((c) => c.id)).toContain(id);
  });

  it('rejects a bad user id or limit with 400', async () => {
    for (const query of ['?user_id=a/b', '?limit=0', '?limit=1000']) {
      const reply = await list(query);
      expect(reply.status, query).toBe(400);
      expect(reply.body.error.code).toBe('validation_failed');
    }
  });

  it('is empty for a user without conversations', async () => {
    expect((await list('?user_id=nobody')).body).toEqual({ conversations: [] });
  });
});
