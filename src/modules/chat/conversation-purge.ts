import { and, count, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '../../platform/db/index.js';
import { conversations, messages } from './chat.tables.js';

export interface PurgedConversations {
  tenantId: string;
  conversations: number;
  messages: number;
}

/**
 * Deletes the conversations last active before `before` (their messages go with them, by the
 * foreign key's cascade), in one transaction; returns the counts per tenant that lost any.
 */
export function purgeConversations(
  db: Db,
  options: { before: Date; tenantId?: string },
): Promise<PurgedConversations[]> {
  return db.transaction(async (tx) => {
    const old = and(
      lt(conversations.updatedAt, options.before),
      options.tenantId === undefined ? undefined : eq(conversations.tenantId, options.tenantId),
    );
    const ids = tx.select({ id: conversations.id }).from(conversations).where(old);
    const messageCounts = await tx
      .select({ tenantId: messages.tenantId, n: count() })
      .from(messages)
      .where(inArray(messages.conversationId, ids))
      .groupBy(messages.tenantId);
    const deleted = await tx.delete(conversations).where(old).returning({ tenantId: conversations.tenantId });
    const byTenant = Map.groupBy(deleted, (row) => row.tenantId);
    return [...byTenant].map(([tenantId, rows]) => ({
      tenantId,
      conversations: rows.length,
      messages: Number(messageCounts.find((m) => m.tenantId === tenantId)?.n ?? 0),
    }));
  });
}
