import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { type Db, schema } from '../../platform/db/index.js';

const { conversations, messages } = schema;

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

export interface NewTurn {
  conversation: { id: string; tenantId: string; userId: string; agent: string; isNew: boolean };
  user: { content: string };
  assistant: { content: string; model: string; inputTokens: number; outputTokens: number };
  agentVersion: string;
  requestId: string;
}

const messageColumns = {
  role: messages.role,
  content: messages.content,
  conversationId: messages.conversationId,
  createdAt: messages.createdAt,
};

export function createChatRepository(db: Db) {
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
    async recentMessages(conversationId: string, limit: number): Promise<StoredMessage[]> {
      const rows = await db
        .select(messageColumns)
        .from(messages)
        .where(eq(messages.conversationId, conversationId))
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

    /** Writes both messages of a turn (and a new conversation) in one transaction: all or nothing. */
    async saveTurn(turn: NewTurn): Promise<{ userMessageId: string; assistantMessageId: string }> {
      return db.transaction(async (tx) => {
        const { conversation: c, assistant } = turn;
        const spent = assistant.inputTokens + assistant.outputTokens;
        if (c.isNew) {
          await tx
            .insert(conversations)
            .values({ id: c.id, tenantId: c.tenantId, userId: c.userId, agent: c.agent, tokensUsed: spent });
        } else {
          await tx
            .update(conversations)
            .set({ tokensUsed: sql`${conversations.tokensUsed} + ${spent}`, updatedAt: new Date() })
            .where(eq(conversations.id, c.id));
        }
        const common = {
          tenantId: c.tenantId,
          conversationId: c.id,
          agentVersion: turn.agentVersion,
          requestId: turn.requestId,
        };
        const inserted = await tx
          .insert(messages)
          .values([
            { ...common, role: 'user' as const, content: turn.user.content },
            { ...common, role: 'assistant' as const, ...assistant },
          ])
          .returning({ id: messages.id, role: messages.role });
        const byRole = (role: string) => inserted.find((row) => row.role === role)?.id ?? '';
        return { userMessageId: byRole('user'), assistantMessageId: byRole('assistant') };
      });
    },
  };
}
export type ChatRepository = ReturnType<typeof createChatRepository>;
