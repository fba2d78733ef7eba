import { z } from 'zod';
import type { AuditRecord, CheckpointRecord } from './audit.repository.js';
import { hashedObject } from './audit-hash.js';

const isoDate = z.iso.datetime({ offset: true });
const tenantId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant slug');

export const auditQuery = z.strictObject({
  /** The tenant whose chain to read; default the caller's (the CLI's local operator must name one). */
  tenant_id: tenantId.optional(),
  since: isoDate.optional(),
  until: isoDate.optional(),
  action: z.string().min(1).max(100).optional(),
  /** A user id or a key id. */
  actor: z.string().min(1).max(200).optional(),
  request_id: z.string().min(1).max(200).optional(),
  outcome: z.enum(['ok', 'denied', 'blocked']).optional(),
  /** `next_cursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'the next_cursor of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

export const auditEventView = z.object({
  id: z.number(),
  tenant_id: z.string(),
  seq: z.number(),
  at: z.string(),
  action: z.string(),
  outcome: z.enum(['ok', 'denied', 'blocked']),
  blocked_by_rule: z.string().nullable(),
  actor_user: z.string().nullable(),
  actor_key: z.string().nullable(),
  resource_type: z.string().nullable(),
  resource_id: z.string().nullable(),
  request_id: z.string().nullable(),
  agent_version: z.string().nullable(),
  config_version: z.string().nullable(),
  args_hash: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  prev_hash: z.string(),
  hash: z.string(),
});
export type AuditEventView = z.infer<typeof auditEventView>;

export const checkpointView = z.object({
  tenant_id: z.string(),
  seq: z.number(),
  hash: z.string(),
  signature: z.string(),
  key_id: z.string(),
  at: z.string(),
});

export const chainView = z.object({
  head: z.object({ seq: z.number(), hash: z.string() }).nullable(),
  checkpoints: z.array(checkpointView),
});

/** One event as the API and `berth audit export` write it: every field its hash covers, snake_case. */
export const eventWire = (e: AuditRecord): AuditEventView => ({
  id: e.id,
  ...hashedObject(e),
  details: e.details ?? null,
  hash: e.hash,
});

/** The reverse of eventWire, for verifying what a server sent. */
export const eventFromWire = (e: AuditEventView): AuditRecord => ({
  id: e.id,
  tenantId: e.tenant_id,
  seq: e.seq,
  at: new Date(e.at),
  action: e.action,
  outcome: e.outcome,
  blockedByRule: e.blocked_by_rule,
  actorUser: e.actor_user,
  actorKey: e.actor_key,
  resourceType: e.resource_type,
  resourceId: e.resource_id,
  requestId: e.request_id,
  agentVersion: e.agent_version,
  configVersion: e.config_version,
  argsHash: e.args_hash,
  details: e.details,
  prevHash: e.prev_hash,
  hash: e.hash,
});

export const checkpointWire = (c: CheckpointRecord) => ({
  tenant_id: c.tenantId,
  seq: c.seq,
  hash: c.hash,
  signature: c.signature,
  key_id: c.keyId,
  at: c.at.toISOString(),
});
