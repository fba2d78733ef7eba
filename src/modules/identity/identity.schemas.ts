import { z } from 'zod';
import { roles } from './identity.tables.js';

export const tenantSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits or "-", at most 40, no leading "-"');

/** A user's id: an email, a username or an OpenID subject. */
export const userIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s/]+$/, 'must not contain spaces or slashes');

export const roleSchema = z.enum(roles);

export const tenantView = z.object({ id: z.string(), name: z.string(), created_at: z.string() });
export const memberView = z.object({ user_id: z.string(), role: roleSchema, created_at: z.string() });
export const keyView = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  user_id: z.string().nullable(),
  prefix: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

export const meView = z.object({
  tenant_id: z.string(),
  user_id: z.string(),
  role: z.string(),
  via: z.enum(['key', 'token', 'session', 'local', 'anonymous']),
  /** Whether requests need credentials (false while auth is off or no key exists yet). */
  auth_required: z.boolean(),
});

export const newTenantBody = z.strictObject({ id: tenantSlug, name: z.string().min(1).max(200).optional() });
export const newMemberBody = z.strictObject({ user_id: userIdSchema, role: roleSchema });
export const newKeyBody = z.strictObject({
  name: z.string().min(1).max(64),
  role: roleSchema.optional(),
  user_id: userIdSchema.optional(),
});
export const tenantParams = z.object({ tenant: tenantSlug });
