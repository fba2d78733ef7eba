import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { createGroupCommit, type Db, jsonRows } from '../../platform/db/index.js';
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

/**
 * Writes a batch of turns (new conversations, token counts of continued ones, both messages of
 * each) in one statement: one round trip and no BEGIN/COMMIT, since a statement is atomic on its
 * own. The rows travel as two jsonb parameters. Messages are inserted in `n` order: seq puts each user message
 * before its answer.
 */
async function writeTurns(db: Db, turns: NewTurn[]): Promise<SavedTurn[]> {
  const saved = turns.map(() => ({ userMessageId: randomUUID(), assistantMessageId: randomUUID() }));
  const turnRows = turns.map(({ conversation: c, assistant: a }) => ({
    ...{ id: c.id, tenant_id: c.tenantId, user_id: c.userId, agent: c.agent, is_new: c.isNew },
    spent: a.inputTokens + a.outputTokens,
  }));
  const messageRows = turns.flatMap((turn, i) => {
    const common = {
      tenant_id: turn.conversation.tenantId,
      conversation_id: turn.conversation.id,
      agent_version: turn.agentVersion,
      request_id: turn.requestId,
    };
    const ids = saved[i] as SavedTurn;
    const { content, model, inputTokens, outputTokens, costUsd } = turn.assistant;
    return [
      { ...common, n: 2 * i, id: ids.userMessageId, role: 'user', content: turn.user.content },
      {
        ...{ ...common, n: 2 * i + 1, id: ids.assistantMessageId, role: 'assistant' },
        ...{ content, model, input_tokens: inputTokens, output_tokens: outputTokens },
        cost_usd: costUsd,
      },
    ];
  });
  await db.execute(sql`
    with turns as (
      select * from jsonb_to_recordset(${jsonRows(turnRows)})
        as t(id uuid, tenant_id text, user_id text, agent text, is_new boolean, spent integer)
    ), created as (
      insert into conversations (id, tenant_id, user_id, agent, tokens_used)
      select id, tenant_id, user_id, agent, spent from turns where is_new
    ), continued as (
      update conversations c set tokens_used = c.tokens_used + s.spent, updated_at = now()
      from (select id, tenant_id, sum(spent)::integer as spent from turns where not is_new group by id, tenant_id) s
      where c.id = s.id and c.tenant_id = s.tenant_id
    )
    insert into messages (id, tenant_id, conversation_id, role, content, model, agent_version,
      input_tokens, output_tokens, cost_usd, request_id)
    select id, tenant_id, conversation_id, role, content, model, agent_version,
      coalesce(input_tokens, 0), coalesce(output_tokens, 0), coalesce(cost_usd, 0), request_id
    from jsonb_to_recordset(${jsonRows(messageRows)})
      as m(n integer, id uuid, tenant_id text, conversation_id uuid, role text, content text, model text,
        agent_version text, input_tokens integer, output_tokens integer, cost_usd double precision, request_id text)
    order by n`);
  return saved;
}

export function createChatRepository(db: Db) {
  const turnWriter = createGroupCommit((turns: NewTurn[]) => writeTurns(db, turns));
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
     * Writes both messages of a turn (and a new conversation) in one statement: all or nothing.
     * Concurrent turns share a statement (group commit); each resolves once its rows are committed.
     */
    saveTurn: (turn: NewTurn): Promise<SavedTurn> => turnWriter.submit(turn),
  };
}
export type ChatRepository = ReturnType<typeof createChatRepository>;
