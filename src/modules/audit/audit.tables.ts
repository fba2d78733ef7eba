import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenants } from '../identity/index.js';

/**
 * Append-only: who did what, when, under which agent and config version. Each event carries the
 * SHA-256 of the previous event of its tenant's chain (`prevHash`) and its own (`hash`, over the
 * canonical JSON of its fields and `prevHash`). Database triggers refuse UPDATE and DELETE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** Position in the tenant's chain, from 1. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    /** What happened, e.g. `task.created`, `approval.decided`, `access.denied`. */
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['ok', 'denied', 'blocked'] }).notNull(),
    /** The guardrail that refused it (ssrf, approval_rejected, budget, rate_limit, forbidden, …). */
    blockedByRule: text('blocked_by_rule'),
    actorUser: text('actor_user'),
    actorKey: text('actor_key'),
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    requestId: text('request_id'),
    agentVersion: text('agent_version'),
    configVersion: text('config_version'),
    argsHash: text('args_hash'),
    /** Before/after and other facts of the event; never secrets or message text. */
    details: jsonb('details').$type<Record<string, unknown>>(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_events_chain_idx').on(t.tenantId, t.seq),
    index('audit_events_tenant_at_idx').on(t.tenantId, t.at),
    index('audit_events_request_idx').on(t.requestId),
  ],
);

/** The head of each tenant's chain; appends lock it, so one tenant's events are chained in order. */
export const auditHeads = pgTable('audit_heads', {
  tenantId: text('tenant_id')
    .primaryKey()
    .references(() => tenants.id),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

/** A signed statement (Ed25519) that a tenant's chain reached `seq` with `hash`. */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    /** Base64 Ed25519 signature over `${tenantId}:${seq}:${hash}`. */
    signature: text('signature').notNull(),
    /** SHA-256 (hex, first 16) of the public key, so a rotated key can be told apart. */
    keyId: text('key_id').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('audit_checkpoints_chain_idx').on(t.tenantId, t.seq)],
);
