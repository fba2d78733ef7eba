import { and, asc, eq, gt, gte, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db/index.js';
import { auditCheckpoints, auditEvents, auditHeads } from './audit.tables.js';
import { type ChainedFields, type CheckpointSigner, eventHash, GENESIS_HASH } from './audit-hash.js';

export type AuditRecord = typeof auditEvents.$inferSelect;
export type CheckpointRecord = typeof auditCheckpoints.$inferSelect;
/** An event to append: everything but its place in the chain, which the append decides. */
export type AuditEntry = Omit<ChainedFields, 'seq' | 'prevHash'>;

export interface AuditQuery {
  since?: Date;
  until?: Date;
  action?: string;
  /** A user id or a key id. */
  actor?: string;
  requestId?: string;
  outcome?: AuditRecord['outcome'];
  /** Events after this seq of the tenant's chain. */
  afterSeq?: number;
  limit: number;
}

export interface ChainOptions {
  /** A checkpoint is signed at every multiple of this seq. */
  checkpointEvery: number;
  signer?: CheckpointSigner;
}

/** Chains one tenant's entries after its head; returns the rows to insert and the checkpoints they cross. */
function chain(head: { seq: number; hash: string }, entries: AuditEntry[], options: ChainOptions) {
  const rows: ChainedFields[] = [];
  const checkpoints: Array<typeof auditCheckpoints.$inferInsert> = [];
  let { seq, hash } = head;
  for (const entry of entries) {
    const fields: ChainedFields = { ...entry, seq: seq + 1, prevHash: hash };
    seq = fields.seq;
    hash = eventHash(fields);
    rows.push({ ...fields, hash } as ChainedFields);
    if (options.signer && seq % options.checkpointEvery === 0) {
      const { signer } = options;
      checkpoints.push({
        tenantId: entry.tenantId,
        seq,
        hash,
        keyId: signer.keyId,
        signature: signer.sign(entry.tenantId, seq, hash),
      });
    }
  }
  return { rows: rows as Array<ChainedFields & { hash: string }>, checkpoints, head: { seq, hash } };
}

async function lockHeads(tx: Tx, tenantIds: string[]) {
  // Sorted, so two batches naming the same tenants lock their heads in the same order (no deadlock).
  const sorted = [...new Set(tenantIds)].sort();
  await tx
    .insert(auditHeads)
    .values(sorted.map((tenantId) => ({ tenantId, seq: 0, hash: GENESIS_HASH })))
    .onConflictDoNothing();
  const heads = await tx
    .select()
    .from(auditHeads)
    .where(inArray(auditHeads.tenantId, sorted))
    .orderBy(asc(auditHeads.tenantId))
    .for('update');
  return new Map(heads.map((h) => [h.tenantId, { seq: h.seq, hash: h.hash }]));
}

function filters(tenantId: string, query: Omit<AuditQuery, 'limit'>): SQL | undefined {
  const e = auditEvents;
  return and(
    eq(e.tenantId, tenantId),
    query.afterSeq === undefined ? undefined : gt(e.seq, query.afterSeq),
    query.since === undefined ? undefined : gte(e.at, query.since),
    query.until === undefined ? undefined : lt(e.at, query.until),
    query.action === undefined ? undefined : eq(e.action, query.action),
    query.actor === undefined ? undefined : or(eq(e.actorUser, query.actor), eq(e.actorKey, query.actor)),
    query.requestId === undefined ? undefined : eq(e.requestId, query.requestId),
    query.outcome === undefined ? undefined : eq(e.outcome, query.outcome),
  );
}

export function createAuditRepository(db: Db) {
  return {
    /**
     * Appends the entries to their tenants' chains in one transaction: each head is locked (and
     * created on first use), so appends from every process chain one tenant's events in one order.
     * Returns each entry's seq, in the order given.
     */
    append: (entries: AuditEntry[], options: ChainOptions): Promise<number[]> =>
      db.transaction(async (tx) => {
        const heads = await lockHeads(
          tx,
          entries.map((e) => e.tenantId),
        );
        const byTenant = Map.groupBy(entries, (e) => e.tenantId);
        const seqs = new Map<AuditEntry, number>();
        for (const [tenantId, tenantEntries] of byTenant) {
          const head = heads.get(tenantId) ?? { seq: 0, hash: GENESIS_HASH };
          const chained = chain(head, tenantEntries, options);
          await tx.insert(auditEvents).values(chained.rows);
          if (chained.checkpoints.length > 0) await tx.insert(auditCheckpoints).values(chained.checkpoints);
          await tx.update(auditHeads).set(chained.head).where(eq(auditHeads.tenantId, tenantId));
          for (const [i, entry] of tenantEntries.entries()) seqs.set(entry, head.seq + i + 1);
        }
        return entries.map((entry) => seqs.get(entry) as number);
      }),

    /** One page of a tenant's events in chain order, filtered. */
    list: (tenantId: string, query: AuditQuery): Promise<AuditRecord[]> =>
      db
        .select()
        .from(auditEvents)
        .where(filters(tenantId, query))
        .orderBy(asc(auditEvents.seq))
        .limit(query.limit),

    /** Every tenant that has a chain. */
    chainedTenants: async (): Promise<string[]> =>
      (
        await db.select({ tenantId: auditHeads.tenantId }).from(auditHeads).orderBy(asc(auditHeads.tenantId))
      ).map((h) => h.tenantId),

    head: async (tenantId: string) =>
      (await db.select().from(auditHeads).where(eq(auditHeads.tenantId, tenantId)))[0],

    checkpoints: (tenantId: string): Promise<CheckpointRecord[]> =>
      db
        .select()
        .from(auditCheckpoints)
        .where(eq(auditCheckpoints.tenantId, tenantId))
        .orderBy(asc(auditCheckpoints.seq)),
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
