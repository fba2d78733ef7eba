import type { Actor } from '../../platform/http/index.js';

/** Who did it, in the event conventions: the acting user, and the key it used. */
interface ActorFact {
  tenant_id: string;
  user_id: string;
  key_id?: string;
}

/** The identity module's facts on the lifecycle bus (the audit trail subscribes). */
export type IdentityEvent =
  | (ActorFact & { type: 'tenant.created'; resource_type: 'tenant'; resource_id: string })
  | (ActorFact & {
      type: 'member.added' | 'member.changed';
      resource_type: 'user';
      resource_id: string;
      role: string;
      /** The role before, for member.changed. */
      previous_role?: string;
    })
  | (ActorFact & {
      type: 'key.created' | 'key.revoked';
      resource_type: 'key';
      resource_id: string;
      role: string;
      /** The key's own user, when it acts as one. */
      key_user?: string;
    });

/** The actor part of an event about `tenantId` (the local operator acts in every tenant). */
export const actorFact = (actor: Actor, tenantId: string): ActorFact => ({
  tenant_id: tenantId,
  user_id: actor.userId,
  ...(actor.keyId ? { key_id: actor.keyId } : {}),
});
