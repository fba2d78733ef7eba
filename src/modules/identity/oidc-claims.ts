import { AppError, fail, ok, type Result } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import type { IdentityRepository } from './identity.repository.js';
import { tenantSlug, userIdSchema } from './identity.schemas.js';
import { type Role, roles } from './identity.tables.js';
import { isRole, roleRank } from './policy.js';

/** Which claims name the user, the tenant and the role, and the tenant of tokens that name none. */
export interface ClaimMapping {
  userClaim: string;
  tenantClaim: string;
  roleClaim: string;
  defaultTenant: string;
}

/** Who a token or a session says the caller is; `role` only when the provider states one. */
export interface ClaimedIdentity {
  userId: string;
  tenantId: string;
  role?: Role;
}

type Claims = Record<string, unknown>;

function userOf(claims: Claims, claim: string): Result<string, AppError> {
  const named = claims[claim];
  // An email the provider has not verified could be anybody's: the subject is used instead.
  const unverified = claim === 'email' && claims.email_verified === false;
  const candidate = typeof named === 'string' && !unverified ? named : claims.sub;
  if (typeof candidate !== 'string') {
    return fail(new AppError('unauthorized', `The token names no user: it has no "${claim}" or "sub" claim`));
  }
  if (!userIdSchema.safeParse(candidate).success) {
    return fail(
      new AppError(
        'forbidden',
        `The token's user id is not usable in Berth (at most 128 characters, no spaces or slashes)`,
      ),
    );
  }
  return ok(candidate);
}

function tenantOf(claims: Claims, mapping: ClaimMapping): Result<string, AppError> {
  const named = claims[mapping.tenantClaim] ?? mapping.defaultTenant;
  if (typeof named !== 'string' || !tenantSlug.safeParse(named).success) {
    return fail(new AppError('forbidden', `The token's "${mapping.tenantClaim}" claim is not a tenant id`));
  }
  return ok(named);
}

/** A string, or a list (Entra ID's `roles`) whose highest Berth role wins; absent → undefined. */
function roleOf(claims: Claims, claim: string): Result<Role | undefined, AppError> {
  const named = claims[claim];
  if (named === undefined) return ok(undefined);
  const values = (Array.isArray(named) ? named : [named]).filter(
    (value): value is Role => typeof value === 'string' && isRole(value),
  );
  const highest = values.sort((a, b) => roleRank(b) - roleRank(a))[0];
  if (!highest) {
    return fail(
      new AppError(
        'forbidden',
        `The token's "${claim}" claim names no Berth role (one of ${roles.join(', ')})`,
      ),
    );
  }
  return ok(highest);
}

/** Reads the user, tenant and role from verified claims. */
export function identityFromClaims(claims: Claims, mapping: ClaimMapping): Result<ClaimedIdentity, AppError> {
  const userId = userOf(claims, mapping.userClaim);
  if (!userId.ok) return userId;
  const tenantId = tenantOf(claims, mapping);
  if (!tenantId.ok) return tenantId;
  const role = roleOf(claims, mapping.roleClaim);
  if (!role.ok) return role;
  return ok({ userId: userId.value, tenantId: tenantId.value, ...(role.value ? { role: role.value } : {}) });
}

/**
 * The actor of an identity the provider vouches for: its tenant must exist; its role is the one the
 * provider states, else its membership's. No role and no membership is 403, not 401: the credential
 * is genuine, it just grants nothing here (another token of the same user would not help).
 */
export async function resolveActor(
  repo: Pick<IdentityRepository, 'findTenant' | 'findMember'>,
  identity: ClaimedIdentity,
  via: 'token' | 'session',
): Promise<Actor> {
  const { tenantId, userId } = identity;
  if (!(await repo.findTenant(tenantId))) {
    throw new AppError('forbidden', `Tenant "${tenantId}" does not exist in this Berth`);
  }
  const role = identity.role ?? (await repo.findMember(tenantId, userId))?.role;
  if (!role) {
    throw new AppError(
      'forbidden',
      `User "${userId}" is not a member of tenant "${tenantId}": an admin can add it (berth users add ${tenantId} ${userId} --role member)`,
    );
  }
  return { tenantId, userId, role, via };
}
