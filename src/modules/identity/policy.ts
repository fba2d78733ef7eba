import { AbilityBuilder, createMongoAbility, type MongoAbility, subject } from '@casl/ability';
import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import { type Role, roles } from './identity.tables.js';

/**
 * Every permission a route may declare, as the CASL action and subject it checks. Routes declare
 * the name; services check the same name against the resource (`requireAccess`).
 */
export const permissions = {
  'me:read': ['read', 'Me'],
  'agents:read': ['read', 'Agent'],
  'status:read': ['read', 'Status'],
  'chat:use': ['create', 'Conversation'],
  'conversations:read': ['read', 'Conversation'],
  'tasks:create': ['create', 'Task'],
  'tasks:read': ['read', 'Task'],
  'tasks:cancel': ['cancel', 'Task'],
  /** Opening /mcp, whose tools chat and create tasks: members and above; each tool checks its own permission. */
  'mcp:connect': ['create', 'Task'],
  /** Approval requests of side-effecting steps (GET /api/approvals). */
  'approvals:read': ['read', 'Approval'],
  /** Approving or rejecting one. */
  'approvals:decide': ['decide', 'Approval'],
  /** Naming `user_id` in a request: the caller's own id, or an admin acting for a user of its tenant. */
  'users:act_for': ['act_for', 'User'],
  'users:read': ['read', 'User'],
  'users:manage': ['update', 'User'],
  'keys:read': ['read', 'Key'],
  'keys:manage': ['update', 'Key'],
  'tenants:read': ['read', 'Tenant'],
  'tenants:create': ['create', 'Tenant'],
  /** The tenant's recorded `berth eval` runs (GET /api/evals). */
  'evals:read': ['read', 'Eval'],
  /** Recording a run: what `berth eval --against` does after running a suite (POST /api/evals). */
  'evals:write': ['create', 'Eval'],
  /** The tenant's audit trail (GET /api/audit): admins and above. */
  'audit:read': ['read', 'AuditEvent'],
} as const satisfies Record<string, readonly [string, string]>;
export type PermissionName = keyof typeof permissions;

/** The operator with the data dir or the database in hand (the CLI): every right in every tenant. */
export const SYSTEM_ROLE = 'system';

/** The fields conditions look at: every resource belongs to a tenant, most to a user. */
export interface Resource {
  tenantId: string;
  userId?: string;
}

type Ability = MongoAbility;

export const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value);
export const roleRank = (role: string): number =>
  role === SYSTEM_ROLE ? roles.length : roles.indexOf(role as Role);

function defineAbility(actor: Actor): Ability {
  const { can, build } = new AbilityBuilder<Ability>(createMongoAbility);
  if (actor.role === SYSTEM_ROLE) {
    can('manage', 'all');
    return build();
  }
  const rank = roleRank(actor.role);
  const tenant = { tenantId: actor.tenantId };
  const own = { tenantId: actor.tenantId, userId: actor.userId };
  const atLeast = (role: Role) => rank >= roles.indexOf(role);
  if (rank < 0) return build();
  // viewer: reads what is its own, and what the service offers everyone.
  can('read', ['Me', 'Agent', 'Status']);
  can('read', ['Conversation', 'Task'], own);
  can('act_for', 'User', own);
  if (atLeast('member')) {
    can('create', ['Conversation', 'Task'], own);
    can('cancel', 'Task', own);
  }
  if (atLeast('operator')) {
    can(['read', 'cancel'], 'Task', tenant);
    can(['read', 'create'], 'Eval', tenant);
    can(['read', 'decide'], 'Approval', tenant);
  }
  if (atLeast('admin')) {
    can('read', 'Conversation', tenant);
    can('act_for', 'User', tenant);
    can(['create', 'cancel'], ['Conversation', 'Task'], tenant);
    can(['read', 'update'], ['User', 'Key'], tenant);
    can('read', 'Tenant', tenant);
    can('read', 'AuditEvent', tenant);
  }
  return build();
}

/**
 * An ability depends only on the role, the tenant and the user, and building one costs more than a
 * chat turn's own logic, while actors are made per request: abilities are kept by those three,
 * forgotten all at once past a bound (a rebuild is cheap, an unbounded map is not).
 */
const abilities = new Map<string, Ability>();
const MAX_ABILITIES = 10_000;
const abilityOf = (actor: Actor): Ability => {
  const key = `${actor.role}\0${actor.tenantId}\0${actor.userId}`;
  let ability = abilities.get(key);
  if (!ability) {
    if (abilities.size >= MAX_ABILITIES) abilities.clear();
    ability = defineAbility(actor);
    abilities.set(key, ability);
  }
  return ability;
};

/** Whether the actor's role grants the permission for some resource (the route-level check). */
export function allows(actor: Actor, permission: string): boolean {
  const entry = permissions[permission as PermissionName];
  return entry !== undefined && abilityOf(actor).can(entry[0], entry[1]);
}

/** Whether the actor may do this to this resource: its tenant, and its owner where the role needs one. */
export function canAccess(actor: Actor, permission: PermissionName, resource: Resource): boolean {
  const [action, type] = permissions[permission];
  return abilityOf(actor).can(action, subject(type, { ...resource }));
}

/** Throws 403 `forbidden` unless the actor may do this to this resource. */
export function requireAccess(actor: Actor, permission: PermissionName, resource: Resource): void {
  if (canAccess(actor, permission, resource)) return;
  const whose = resource.userId && resource.userId !== actor.userId ? ` of user "${resource.userId}"` : '';
  throw new AppError('forbidden', `Your role (${actor.role}) does not grant ${permission}${whose}`);
}

/**
 * The user a request acts for: the caller itself, or the `user_id` it names — refused with 403
 * unless that is its own id or the caller is an admin of the tenant.
 */
export function actingUser(actor: Actor, requested: string | undefined): string {
  if (requested === undefined || requested === actor.userId) return actor.userId;
  requireAccess(actor, 'users:act_for', { tenantId: actor.tenantId, userId: requested });
  return requested;
}

/**
 * The user whose resources a listing may show when the caller names none: undefined when the
 * actor may see every user's (an operator's tasks, an admin's conversations), else its own id.
 */
export function ownerScope(actor: Actor, permission: PermissionName): string | undefined {
  // A resource without an owner matches only rules that do not ask for one.
  return canAccess(actor, permission, { tenantId: actor.tenantId }) ? undefined : actor.userId;
}

/** Whether the actor may give a key or a user this role: never one above its own. */
export const mayGrant = (actor: Actor, role: Role): boolean => roleRank(role) <= roleRank(actor.role);
