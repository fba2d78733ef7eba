import { and, desc, eq, lt, lte, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '../../platform/db/index.js';
import { type ApprovalStatus, approvals } from './approvals.tables.js';

export type ApprovalRow = typeof approvals.$inferSelect;
export type NewApproval = Omit<
  typeof approvals.$inferInsert,
  'id' | 'status' | 'decidedBy' | 'decidedAt' | 'reason' | 'createdAt'
>;

export interface ApprovalListQuery {
  tenantId: string;
  status?: ApprovalStatus;
  taskId?: string;
  limit: number;
  /** Approvals requested before this (created_at, id), newest first. */
  before?: { createdAt: Date; id: string };
}

export interface Decision {
  tenantId: string;
  id: string;
  status: 'approved' | 'rejected';
  decidedBy: string;
  reason: string | null;
  /** The hash the approver saw; the row must still carry it. */
  argsHash: string;
}

/** Pending and not past its expiry: the only state a decision may start from. */
const stillOpen = sql`${approvals.status} = 'pending' AND ${approvals.expiresAt} > now()`;

/** Statements on the approvals table. Those that take a `tx` run inside a transaction the tasks module opened. */
export function createApprovalsRepository(db: Db) {
  return {
    find: async (tenantId: string, id: string): Promise<ApprovalRow | undefined> =>
      (
        await db
          .select()
          .from(approvals)
          .where(and(eq(approvals.tenantId, tenantId), eq(approvals.id, id)))
      )[0],

    list(query: ApprovalListQuery): Promise<ApprovalRow[]> {
      const filters = [eq(approvals.tenantId, query.tenantId)];
      if (query.status) filters.push(eq(approvals.status, query.status));
      if (query.taskId) filters.push(eq(approvals.taskId, query.taskId));
      if (query.before) {
        const { createdAt, id } = query.before;
        filters.push(
          or(
            lt(approvals.createdAt, createdAt),
            and(eq(approvals.createdAt, createdAt), lt(approvals.id, id)),
          ) ?? sql`true`,
        );
      }
      return db
        .select()
        .from(approvals)
        .where(and(...filters))
        .orderBy(desc(approvals.createdAt), desc(approvals.id))
        .limit(query.limit);
    },

    /**
     * The one statement that decides: it matches only a pending approval whose expiry has not
     * passed, so of two concurrent decisions the second matches nothing (the row lock makes it wait
     * for the first and then re-check).
     */
    decide: async (tx: Tx, decision: Decision): Promise<ApprovalRow | undefined> =>
      (
        await tx
          .update(approvals)
          .set({
            status: decision.status,
            decidedBy: decision.decidedBy,
            decidedAt: sql`now()`,
            reason: decision.reason,
          })
          .where(
            and(
              eq(approvals.tenantId, decision.tenantId),
              eq(approvals.id, decision.id),
              eq(approvals.argsHash, decision.argsHash),
              stillOpen,
            ),
          )
          .returning()
      )[0],

    /** Pending approvals whose expiry has passed, oldest first. */
    due: (limit: number): Promise<ApprovalRow[]> =>
      db
        .select()
        .from(approvals)
        .where(and(eq(approvals.status, 'pending'), lte(approvals.expiresAt, sql`now()`)))
        .orderBy(approvals.expiresAt)
        .limit(limit),

    /** Marks one approval expired, if it is still pending and past its expiry (a decision may have won meanwhile). */
    expire: async (tx: Tx, id: string): Promise<ApprovalRow | undefined> =>
      (
        await tx
          .update(approvals)
          .set({ status: 'expired', decidedAt: sql`now()` })
          .where(
            and(eq(approvals.id, id), eq(approvals.status, 'pending'), lte(approvals.expiresAt, sql`now()`)),
          )
          .returning()
      )[0],
  };
}
export type ApprovalsRepository = ReturnType<typeof createApprovalsRepository>;

/** Statements the tasks module runs inside its own step transactions. */
export const approvalStatements = {
  /** The step's approval request; nothing when the step already has one (its unique index). */
  insertPending: async (tx: Tx, row: NewApproval): Promise<ApprovalRow | undefined> =>
    (await tx.insert(approvals).values(row).onConflictDoNothing({ target: approvals.stepId }).returning())[0],

  forStep: async (db: DbOrTx, tenantId: string, stepId: string): Promise<ApprovalRow | undefined> =>
    (
      await db
        .select()
        .from(approvals)
        .where(and(eq(approvals.tenantId, tenantId), eq(approvals.stepId, stepId)))
    )[0],

  /** A task ended (cancelled, another step failed): its pending approvals can no longer be decided. */
  closeForTask: (tx: Tx, taskId: string) =>
    tx
      .update(approvals)
      .set({ status: 'expired', decidedAt: sql`now()`, reason: 'the task ended before a decision' })
      .where(and(eq(approvals.taskId, taskId), eq(approvals.status, 'pending'))),
};
