import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { createGroupCommit, type Db, type Tx } from '../../platform/db/index.js';
import { conversations, messages } from './chat.tables.js';

export interface ConversationRecord {
  id: string;
  tenantId: string;
  userId: string;
  agent: string;
  tokensUsed: number;
}

export interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  conversationId: string;
  createdAt: Date;
}

export interface ConversationSummary {
  id: string;
  agent: string;
  tokensUsed: number;
  createdAt: Date;
  updatedAt: Date;
  /** The first user message, cut to TITLE_CHARS; null for a conversation without messages. */
  title: string | null;
}

const TITLE_CHARS = 120;

export interface NewTurn {
  conversation: { id: string; tenantId: string; userId: string; agent: string; isNew: boolean };
  user: { content: string };
  assistant: { content: string; model: string; inputTokens: number; outputTokens: number; costUsd: number };
  agentVersion: string;
  requestId: string;
}

const messageColumns = {
  role: messages.role,
  content: messages.content,
  conversationId: messages.conversationId,
  createdAt: messages.createdAt,
};

export interface SavedTurn {
  userMessageId: string;
  assistantMessageId: string;
}

async function writeTurns(tx: Tx, turns: NewTurn[]): Promise<SavedTurn[]> {
  const spent = (t: NewTurn) => t.assistant.inputTokens + t.assistant.outputTokens;
  const fresh = turns.filter((t) => t.conversation.isNew);
  if (fresh.length > 0) {
    await tx.insert(conversations).values(
      fresh.map(({ conversation: c, ...t }) => ({
        id: c.id,
        tenantId: c.tenantId,
        userId: c.userId,
        agent: c.agent,
        tokensUsed: spent({ conversation: c, ...t }),
      })),
    );
  }
  for (const turn of turns.filter((t) => !t.conversation.isNew)) {
    await tx
      .update(conversations)
      .set({ tokensUsed: sql`${conversations.tokensUsed} + ${spent(turn)}`, updatedAt: new Date() })
      .where(eq(conversations.id, turn.conversation.id));
  }
  const saved = turns.map(() => ({ userMessageId: randomUUID(), assistantMessageId: randomUUID() }));
  // One insert, in order: seq follows the VALUES order, so each user message precedes its answer.
  await tx.insert(messages).values(
    turns.flatMap((turn, i) => {
      const common = {
        tenantId: turn.conversation.tenantId,
        conversationId: turn.conversation.id,
        agentVersion: turn.agentVersion,
        requestId: turn.requestId,
      };
      const ids = saved[i] as SavedTurn;
      return [
        { ...common, id: ids.userMessageId, role: 'user' as const, content: turn.user.content },
        { ...common, id: ids.assistantMessageId, role: 'assistant' as const, ...turn.assistant },
      ];
    }),
  );
  return saved;
}

export function createChatRepository(db: Db) {
  const turnWriter = createGroupCommit((turns: NewTurn[]) => db.transaction((tx) => writeTurns(tx, turns)));
  return {
    async findConversation(tenantId: string, id: string): Promise<ConversationRecord | undefined> {
      const [row] = await db
        .select({
          id: conversations.id,
          tenantId: conversations.tenantId,
          userId: conversations.userId,
          agent: conversations.agent,
          tokensUsed: conversations.tokensUsed,
        })
        .from(conversations)
        .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id)));
      return row;
    },

    /** The last `limit` messages, oldest first. */
    async recentMessages(tenantId: string, conversationId: string, limit: number): Promise<StoredMessage[]> {
      const rows = await db
        .select(messageColumns)
        .from(messages)
        .where(and(eq(messages.tenantId, tenantId), eq(messages.conversationId, conversationId)))
        .orderBy(desc(messages.seq))
        .limit(limit);
      return rows.reverse();
    },

    conversationMessages: (tenantId: string, conversationId: string): Promise<StoredMessage[]> =>
      db
        .select(messageColumns)
        .from(messages)
        .where(and(eq(messages.tenantId, tenantId), eq(messages.conversationId, conversationId)))
        .orderBy(asc(messages.seq)),

    userMessages: (tenantId: string, userId: string, limit: number): Promise<StoredMessage[]> =>
      db
        .select(messageColumns)
        .from(messages)
        .innerJoin(conversations, eq(messages.conversationId, conversations.id))
        .where(and(eq(conversations.tenantId, tenantId), eq(conversations.userId, userId)))
        .orderBy(asc(messages.seq))
        .limit(limit),

    async listConversations(tenantId: string, userId: string, limit: number): Promise<ConversationSummary[]> {
      // Spelled out: inside a select, drizzle leaves column names unqualified, which a correlated subquery cannot use.
      const firstUserMessage = sql<string | null>`(
        select left(m.content, ${TITLE_CHARS}) from messages m
        where m.conversation_id = "conversations"."id" and m.role = 'user'
        order by m.seq asc limit 1)`;
      return db
        .select({
          id: conversations.id,
          agent: conversations.agent,
          tokensUsed: conversations.tokensUsed,
          createdAt: conversations.createdAt,
          updatedAt: conversations.updatedAt,
          title: firstUserMessage,
        })
        .from(conversations)
        .where(and(eq(conversations.tenantId, tenantId), eq(conversations.userId, userId)))
        .orderBy(desc(conversations.updatedAt), desc(conversations.createdAt))
        .limit(limit);
    },

    /**
     * Writes both messages of a turn (and a new conversation) in one transaction: all or nothing.
     * Concurrent turns share a transaction (group commit).
     */
    saveTurn: (turn: NewTurn): Promise<SavedTurn> => turnWriter.submit(turn),
  };
}
export type ChatRepository = ReturnType<typeof createChatRepository>;
