import { z } from 'zod';

const claimName = z.string().regex(/^[\w.:/-]{1,100}$/, 'a claim name: letters, digits or _.:/-');
const secureOrLoopback = (value: string) => {
  if (!URL.canParse(value)) return true; // the URL check reports it
  const url = new URL(value);
  return url.protocol === 'https:' || /^(localhost|127\.[\d.]+|\[::1\])$/.test(url.hostname);
};

/** The URL browsers reach Berth at, without a trailing slash (redirect URIs are built on it). */
export const publicUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

/** Single sign-on with an OpenID provider: off unless `issuer` is set. */
export const oidcSchema = z
  .strictObject({
    /** The provider's issuer URL, exactly as its discovery document says (https, or http on loopback). */
    issuer: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .refine(secureOrLoopback, 'must be https (plain http only on a loopback address)')
      .optional(),
    clientId: z.string().min(1).optional(),
    /** Absent: Berth is a public client and proves itself with PKCE alone. */
    clientSecret: z.string().min(1).optional(),
    /** The `aud` API access tokens must carry. Default: the client id. */
    audience: z.string().min(1).optional(),
    /** Scopes asked for at sign-in. Default "openid profile email". */
    scopes: z
      .string()
      .regex(/(^|\s)openid(\s|$)/, 'must include openid')
      .default('openid profile email'),
    /** Claim naming the user. Default email (sub when there is no email, or it is not verified). */
    userClaim: claimName.default('email'),
    /** Claim naming the tenant. Default berth_tenant. */
    tenantClaim: claimName.default('berth_tenant'),
    /** Claim naming the role (a string, or a list whose highest Berth role wins). Default berth_role. */
    roleClaim: claimName.default('berth_role'),
    /** Tenant of users whose token names none. Default "default". */
    defaultTenant: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a tenant id')
      .default('default'),
    /** Shown on the sign-in button ("Sign in with …"). Default: the issuer's host name. */
    providerName: z.string().min(1).max(60).optional(),
  })
  .prefault({});

/** The signed-in browser session (only used with OIDC). */
export const sessionSchema = z
  .strictObject({
    /** Encrypts and signs the session cookie; at least 32 characters; required with OIDC. */
    secret: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
    /** How long a sign-in lasts. Default 8 h. */
    ttlMs: z.coerce
      .number()
      .int()
      .min(60_000)
      .default(8 * 3_600_000),
  })
  .prefault({});

interface OidcConfigView {
  server: { publicUrl?: string };
  auth: { oidc: z.output<typeof oidcSchema>; session: z.output<typeof sessionSchema> };
}

/** What OIDC needs once it is on: a client id, the URL browsers reach Berth at, a session secret. */
export function checkOidc(config: OidcConfigView, ctx: z.core.$RefinementCtx) {
  if (!config.auth.oidc.issuer) return;
  const missing = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (!config.auth.oidc.clientId) {
    missing(
      ['auth', 'oidc', 'clientId'],
      'BERTH_OIDC_CLIENT_ID is required when OIDC is on (BERTH_OIDC_ISSUER)',
    );
  }
  if (!config.server.publicUrl) {
    missing(
      ['server', 'publicUrl'],
      'BERTH_PUBLIC_URL is required when OIDC is on: the URL browsers reach Berth at (the redirect URI is <it>/auth/callback)',
    );
  }
  if (!config.auth.session.secret) {
    missing(
      ['auth', 'session', 'secret'],
      'BERTH_SESSION_SECRET is required when OIDC is on: at least 32 random characters (openssl rand -base64 32), the same on every api replica',
    );
  }
}
