export {
  type AccessControlOptions,
  type AccessControlService,
  type BearerVerifier,
  createAccessControl,
  localActor,
  type SessionReader,
  systemActor,
} from './access-control.js';
export { createIdentityRepository, type IdentityRepository } from './identity.repository.js';
export { registerIdentityRoutes } from './identity.routes.js';
export { keyView, memberView, tenantSlug, tenantView, userIdSchema } from './identity.schemas.js';
export { createIdentityService, type IdentityService } from './identity.service.js';
export {
  apiKeys,
  DEFAULT_TENANT,
  LOCAL_USER,
  memberships,
  type Role,
  roles,
  tenants,
  users,
} from './identity.tables.js';
export type { IdentityEvent } from './identity-events.js';
export { createKeyIndex, hashKey, type KeyIndex } from './key-index.js';
export {
  actingUser,
  canAccess,
  isRole,
  ownerScope,
  type PermissionName,
  permissions,
  requireAccess,
  SYSTEM_ROLE,
} from './policy.js';
export { createSingleSignOn, type SingleSignOn } from './sso.js';
export { registerSsoRoutes } from './sso.routes.js';
