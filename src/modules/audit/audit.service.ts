import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import { requireAccess } from '../identity/index.js';
import type { AuditQuery, AuditRecord, AuditRepository, CheckpointRecord } from './audit.repository.js';

/** Reading the audit trail: one tenant's chain at a time, by an admin of that tenant (or the local operator). */
export function createAuditService(deps: { repo: AuditRepository }) {
  const { repo } = deps;

  function tenantOf(actor: Actor, requested: string | undefined): string {
    const tenantId = requested ?? actor.tenantId;
    if (tenantId === '*') {
      throw new AppError(
        'validation_failed',
        'Invalid request: query.tenant_id is required for the local operator',
      );
    }
    // Checked before any read: another tenant's admin learns nothing, not even whether it has a chain.
    requireAccess(actor, 'audit:read', { tenantId });
    return tenantId;
  }

  return {
    async list(
      actor: Actor,
      tenant: string | undefined,
      query: AuditQuery,
    ): Promise<{ events: AuditRecord[]; nextCursor: string | null }> {
      const tenantId = tenantOf(actor, tenant);
      const rows = await repo.list(tenantId, { ...query, limit: query.limit + 1 });
      const events = rows.slice(0, query.limit);
      const more = rows.length > query.limit;
      return { events, nextCursor: more ? String(events.at(-1)?.seq) : null };
    },

    async chain(
      actor: Actor,
      tenant: string | undefined,
    ): Promise<{ head: { seq: number; hash: string } | null; checkpoints: CheckpointRecord[] }> {
      const tenantId = tenantOf(actor, tenant);
      const head = await repo.head(tenantId);
      return {
        head: head ? { seq: head.seq, hash: head.hash } : null,
        checkpoints: await repo.checkpoints(tenantId),
      };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
