import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { openTestPostgresStore, postgresSkipReason } from '../../../test/support/services.js';
import { openStore, type Store } from '../../platform/db/index.js';
import { tenants } from '../identity/index.js';
import { createChatRepository, type NewTurn } from './chat.repository.js';
import { conversations, messages } from './chat.tables.js';

const turn = (
  tenantId: string,
  text: string,
  conversation: { id?: string; isNew?: boolean; userId?: string } = {},
): NewTurn => ({
  conversation: {
    id: conversation.id ?? randomUUID(),
    tenantId,
    userId: conversation.userId ?? 'alice',
    agent: 'default',
    isNew: conversation.isNew ?? true,
  },
  user: { content: text },
  assistant: { content: `re: ${text}`, model: 'offline', inputTokens: 3, outputTokens: 4, costUsd: 0.5 },
  agentVersion: 'v1',
  requestId: `req-${text}`,
});

function defineSuite(name: string, open: () => Promise<{ store: Store; close(): Promise<void> }>) {
  describe(`ChatRepository.saveTurn on ${name}`, () => {
    let opened: { store: Store; close(): Promise<void> };
    let repo: ReturnType<typeof createChatRepository>;
    const db = () => opened.store.db;
    const messagesOf = (conversationId: string) =>
      db()
        .select({ role: messages.role, content: messages.content, tenantId: messages.tenantId })
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
        .orderBy(asc(messages.seq));
    const conversationRow = async (id: string) =>
      (await db().select().from(conversations).where(eq(conversations.id, id)))[0];

    beforeAll(async () => {
      opened = await open();
      await db()
        .insert(tenants)
        .values([
          { id: 'acme', name: 'Acme' },
          { id: 'globex', name: 'Globex' },
        ]);
      repo = createChatRepository(db());
    });
    afterAll(() => opened?.close());

    it('writes concurrent turns of two tenants together, each to its own tenant, user message first', async () => {
      const batch = [turn('acme', 'a1'), turn('globex', 'g1'), turn('acme', 'a2'), turn('globex', 'g2')];
      const saved = await Promise.all(batch.map((t) => repo.saveTurn(t)));
      expect(new Set(saved.flatMap((s) => [s.userMessageId, s.assistantMessageId])).size).toBe(8);
      for (const t of batch) {
        const rows = await messagesOf(t.conversation.id);
        const { tenantId } = t.conversation;
        expect(rows).toEqual([
          { role: 'user', content: t.user.content, tenantId },
          { role: 'assistant', content: t.assistant.content, tenantId },
        ]);
        expect(await conversationRow(t.conversation.id)).toMatchObject({ tenantId, tokensUsed: 7 });
      }
    });

    it('counts every turn of a conversation continued twice in one batch', async () => {
      const first = turn('acme', 'start');
      await repo.saveTurn(first);
      const again = { id: first.conversation.id, isNew: false };
      // The first submission is written alone; the two that arrive meanwhile share the next statement.
      const results = await Promise.all([
        repo.saveTurn(turn('acme', 'other')),
        repo.saveTurn(turn('acme', 'second', again)),
        repo.saveTurn(turn('acme', 'third', again)),
      ]);
      expect(results).toHaveLength(3);
      expect((await conversationRow(first.conversation.id))?.tokensUsed).toBe(21);
      const contents = (await messagesOf(first.conversation.id)).map((m) => m.content);
      expect(contents).toEqual(['start', 're: start', 'second', 're: second', 'third', 're: third']);
    });

    it('fails a turn whose conversation is gone alone and writes the others of its batch', async () => {
      const gone = turn('acme', 'orphan', { isNew: false });
      const good = [turn('acme', 'ok1'), turn('acme', 'ok2')];
      const outcomes = await Promise.allSettled([
        repo.saveTurn(turn('acme', 'lead')),
        repo.saveTurn(good[0] as NewTurn),
        repo.saveTurn(gone),
        repo.saveTurn(good[1] as NewTurn),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(await messagesOf(gone.conversation.id)).toEqual([]);
      for (const t of good) expect(await messagesOf(t.conversation.id)).toHaveLength(2);
    });

    it('stores text with quotes, backslashes, JSON and non-ASCII as given, and a lone surrogate as U+FFFD', async () => {
      const tricky = `"quoted" \\ back {"json": [1, null]} NULL é 漢字 🚢 \n\ttab`;
      const t = turn('acme', tricky);
      t.assistant.content = `half \ud83d of a ship`;
      await repo.saveTurn(t);
      expect((await messagesOf(t.conversation.id)).map((m) => m.content)).toEqual([
        tricky,
        'half \ufffd of a ship',
      ]);
    });
  });
}

defineSuite('PGlite', async () => {
  const store = await openStore({ dataDir: 'memory://', pgliteTemplatePath: PGLITE_TEMPLATE });
  await store.migrate();
  return { store, close: () => store.close() };
});

const skip = await postgresSkipReason();
if (skip) {
  describe.skip(`ChatRepository.saveTurn on Postgres — skipped: ${skip}`, () => {
    it('needs Postgres', () => {});
  });
} else {
  defineSuite('Postgres', openTestPostgresStore);
}
