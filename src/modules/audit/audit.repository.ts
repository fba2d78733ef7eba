import { and, asc, eq, gt, gte, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { type Db, jsonRows, type Tx } from '../../platform/db/index.js';
import { auditCheckpoints, auditEvents, auditHeads } from './audit.tables.js';
import {
  type ChainedFields,
  type CheckpointSigner,
  eventHash,
  GENESIS_HASH,
  hashedObject,
} from './audit-hash.js';

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

/** The tenants' heads, locked to the end of the transaction; a tenant's first append creates its head. */
async function lockHeads(tx: Tx, tenantIds: string[]) {
  // Sorted, so two batches naming the same tenants lock their heads in the same order (no deadlock).
  const sorted = [...new Set(tenantIds)].sort();
  const locked = () =>
    tx
      .select()
      .from(auditHeads)
      .where(inArray(auditHeads.tenantId, sorted))
      .orderBy(asc(auditHeads.tenantId))
      .for('update');
  let heads = await locked();
  if (heads.length < sorted.length) {
    await tx
      .insert(auditHeads)
      .values(sorted.map((tenantId) => ({ tenantId, seq: 0, hash: GENESIS_HASH })))
      .onConflictDoNothing();
    heads = await locked();
  }
  return new Map(heads.map((h) => [h.tenantId, { seq: h.seq, hash: h.hash }]));
}

/** The chained rows, the checkpoints they cross and the heads they move, written by one statement. */
const writeChains = (
  tx: Tx,
  rows: Array<ChainedFields & { hash: string }>,
  checkpoints: Array<typeof auditCheckpoints.$inferInsert>,
  heads: Array<{ tenant_id: string; seq: number; hash: string }>,
) =>
  tx.execute(sql`
    WITH events AS (
      INSERT INTO audit_events (tenant_id, seq, at, action, outcome, blocked_by_rule, actor_user, actor_key,
        resource_type, resource_id, request_id, agent_version, config_version, args_hash, details, prev_hash, hash)
      SELECT tenant_id, seq, at, action, outcome, blocked_by_rule, actor_user, actor_key,
        resource_type, resource_id, request_id, agent_version, config_version, args_hash, details, prev_hash, hash
      FROM jsonb_to_recordset(${jsonRows(rows.map((row) => ({ ...hashedObject(row), hash: row.hash })))})
        AS e(tenant_id text, seq bigint, at timestamptz, action text, outcome text, blocked_by_rule text,
          actor_user text, actor_key text, resource_type text, resource_id text, request_id text,
          agent_version text, config_version text, args_hash text, details jsonb, prev_hash text, hash text)
    ), signed AS (
      INSERT INTO audit_checkpoints (tenant_id, seq, hash, key_id, signature)
      SELECT tenant_id, seq, hash, key_id, signature
      FROM jsonb_to_recordset(${jsonRows(
        checkpoints.map((c) => ({
          tenant_id: c.tenantId,
          seq: c.seq,
          hash: c.hash,
          key_id: c.keyId,
          signature: c.signature,
        })),
      )}) AS c(tenant_id text, seq bigint, hash text, key_id text, signature text)
    )
    UPDATE audit_heads h SET seq = n.seq, hash = n.hash
    FROM jsonb_to_recordset(${jsonRows(heads)}) AS n(tenant_id text, seq bigint, hash text)
    WHERE h.tenant_id = n.tenant_id`);

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
        const rows: Array<ChainedFields & { hash: string }> = [];
        const checkpoints: Array<typeof auditCheckpoints.$inferInsert> = [];
        const moved: Array<{ tenant_id: string; seq: number; hash: string }> = [];
        const seqs = new Map<AuditEntry, number>();
        for (const [tenantId, tenantEntries] of Map.groupBy(entries, (e) => e.tenantId)) {
          const head = heads.get(tenantId) ?? { seq: 0, hash: GENESIS_HASH };
          const chained = chain(head, tenantEntries, options);
          rows.push(...chained.rows);
          checkpoints.push(...chained.checkpoints);
          moved.push({ tenant_id: tenantId, ...chained.head });
          for (const [i, entry] of tenantEntries.entries()) seqs.set(entry, head.seq + i + 1);
        }
        await writeChains(tx, rows, checkpoints, moved);
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
