import { randomBytes } from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import type { Publisher } from '../../platform/events/index.js';
import type { Actor } from '../../platform/http/index.js';
import type { IdentityRepository, KeyRecord, MemberRecord, TenantRecord } from './identity.repository.js';
import type { Role } from './identity.tables.js';
import { actorFact, type IdentityEvent } from './identity-events.js';
import { hashKey, type KeyIndex } from './key-index.js';
import { canAccess, mayGrant, requireAccess } from './policy.js';

/** Shown in `keys list` so an operator can tell keys apart; long enough to be unambiguous in practice. */
const PREFIX_CHARS = 16;

export interface NewKey {
  tenantId: string;
  name: string;
  role?: Role;
  userId?: string;
}

const tenantNotFound = (id: string) => new AppError('not_found', `Tenant "${id}" does not exist`);

/** Tenants, their users and their keys, for admins over the API and for the CLI. */
export function createIdentityService(deps: {
  repo: IdentityRepository;
  keys: KeyIndex;
  /** Where tenant, member and key changes are published (the audit trail); default nowhere (the CLI's own store). */
  events?: Publisher<IdentityEvent>;
}) {
  const { repo } = deps;
  const publish = (event: IdentityEvent) => deps.events?.publish(event);

  async function tenantFor(
    actor: Actor,
    tenantId: string,
    permission: 'users:read' | 'keys:read' | 'users:manage' | 'keys:manage',
  ) {
    // Checked before the lookup: another tenant's admin learns nothing, not even whether it exists.
    requireAccess(actor, permission, { tenantId });
    const tenant = await repo.findTenant(tenantId);
    if (!tenant) throw tenantNotFound(tenantId);
    return tenant;
  }

  function grantable(actor: Actor, role: Role) {
    if (!mayGrant(actor, role)) {
      throw new AppError('forbidden', `Your role (${actor.role}) cannot grant the role ${role}`);
    }
  }

  return {
    async createTenant(actor: Actor, input: { id: string; name?: string }): Promise<TenantRecord> {
      requireAccess(actor, 'tenants:create', { tenantId: input.id });
      const created = await repo.insertTenant({ id: input.id, name: input.name ?? input.id });
      if (!created) throw new AppError('conflict', `Tenant "${input.id}" already exists`);
      publish({
        type: 'tenant.created',
        ...actorFact(actor, created.id),
        resource_type: 'tenant',
        resource_id: created.id,
      });
      return created;
    },

    async listTenants(actor: Actor): Promise<TenantRecord[]> {
      // Only the operator sees every tenant; anyone else reads its own row, not the whole table.
      if (canAccess(actor, 'tenants:create', { tenantId: '*' })) return repo.listTenants();
      const own = await repo.findTenant(actor.tenantId);
      return own ? [own] : [];
    },

    async addUser(
      actor: Actor,
      input: { tenantId: string; userId: string; role: Role },
    ): Promise<MemberRecord> {
      await tenantFor(actor, input.tenantId, 'users:manage');
      grantable(actor, input.role);
      const current = await repo.findMember(input.tenantId, input.userId);
      if (current && !mayGrant(actor, current.role)) {
        throw new AppError('forbidden', `User "${input.userId}" is ${current.role}, above your role`);
      }
      const member = await repo.upsertMember(input);
      publish({
        type: current ? 'member.changed' : 'member.added',
        ...actorFact(actor, input.tenantId),
        ...{ resource_type: 'user', resource_id: input.userId, role: member.role },
        ...(current ? { previous_role: current.role } : {}),
      });
      return member;
    },

    async listUsers(actor: Actor, tenantId: string): Promise<MemberRecord[]> {
      await tenantFor(actor, tenantId, 'users:read');
      return repo.listMembers(tenantId);
    },

    /** Creates a key; the plain key is returned once and only its hash is stored. */
    async createKey(actor: Actor, input: NewKey): Promise<{ key: string; record: KeyRecord }> {
      await tenantFor(actor, input.tenantId, 'keys:manage');
      const name = input.name.trim();
      if (!/^[\w .:@-]{1,64}$/.test(name)) {
        throw new AppError(
          'validation_failed',
          `Key name "${input.name}" must be 1-64 letters, digits, spaces or ._:@-`,
        );
      }
      let role = input.role;
      if (input.userId) {
        const member = await repo.findMember(input.tenantId, input.userId);
        if (!member) {
          throw new AppError(
            'not_found',
            `User "${input.userId}" is not a member of tenant "${input.tenantId}": add it first (berth users add ${input.tenantId} ${input.userId} --role <role>)`,
          );
        }
        role ??= member.role;
        if (!mayGrant({ ...actor, role: member.role }, role)) {
          throw new AppError(
            'forbidden',
            `A key of user "${input.userId}" (${member.role}) cannot have the role ${role}`,
          );
        }
      }
      role ??= 'member';
      grantable(actor, role);
      const key = `berth_${randomBytes(24).toString('base64url')}`;
      const record = await repo.insertKey({
        tenantId: input.tenantId,
        name,
        role,
        userId: input.userId,
        keyHash: hashKey(key),
        prefix: key.slice(0, PREFIX_CHARS),
      });
      await deps.keys.reload();
      publish({
        type: 'key.created',
        ...actorFact(actor, input.tenantId),
        ...{ resource_type: 'key', resource_id: record.id, role: record.role },
        ...(record.userId ? { key_user: record.userId } : {}),
      });
      return { key, record };
    },

    async listKeys(actor: Actor, tenantId: string): Promise<KeyRecord[]> {
      await tenantFor(actor, tenantId, 'keys:read');
      return repo.listKeys(tenantId);
    },

    /**
     * Revokes the one active key whose id or key starts with `idOrPrefix` (or that is the key itself).
     * An ambiguous prefix revokes nothing and names the candidates.
     */
    async revokeKey(actor: Actor, tenantId: string, idOrPrefix: string): Promise<KeyRecord> {
      await tenantFor(actor, tenantId, 'keys:manage');
      const candidates = (await repo.listActiveKeyRecords(tenantId)).filter(
        (k) =>
          k.id.startsWith(idOrPrefix) || k.prefix.startsWith(idOrPrefix) || k.keyHash === hashKey(idOrPrefix),
      );
      if (candidates.length === 0) {
        throw new AppError(
          'not_found',
          `No active key of tenant "${tenantId}" has an id or key starting with "${idOrPrefix}"`,
        );
      }
      if (candidates.length > 1) {
        throw new AppError(
          'conflict',
          `"${idOrPrefix}" matches ${candidates.length} keys; give more of the id or key`,
          {
            details: candidates.map((k) => ({ id: k.id, prefix: k.prefix, name: k.name })),
          },
        );
      }
      const candidate = candidates[0] as KeyRecord;
      const revoked = await repo.revokeKey(tenantId, candidate.id);
      if (!revoked) throw new AppError('not_found', `Key ${candidate.id} was revoked meanwhile`);
      await deps.keys.reload();
      publish({
        type: 'key.revoked',
        ...actorFact(actor, tenantId),
        ...{ resource_type: 'key', resource_id: revoked.id, role: revoked.role },
        ...(revoked.userId ? { key_user: revoked.userId } : {}),
      });
      return revoked;
    },

    /** Active keys left in all tenants (a server whose auth is on and that has none refuses everyone). */
    activeKeyCount: () => deps.keys.activeCount(),
  };
}
export type IdentityService = ReturnType<typeof createIdentityService>;
