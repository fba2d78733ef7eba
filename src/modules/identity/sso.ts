import type { PlatformConfig } from '../../platform/config/index.js';
import type { BearerVerifier, SessionReader } from './access-control.js';
import type { IdentityRepository } from './identity.repository.js';
import { createIdentityProvider } from './identity-provider.js';
import { type ClaimMapping, resolveActor } from './oidc-claims.js';
import { createOidcTokenVerifier } from './oidc-tokens.js';
import { createSessionCookies, createSessionReader } from './session.js';
import { createSsoService, type SsoService } from './sso.service.js';

export interface SsoSettings {
  oidc: PlatformConfig['auth']['oidc'];
  session: PlatformConfig['auth']['session'];
  publicUrl?: string;
}

export interface SingleSignOn {
  /** JWT access tokens of the provider, for the API. */
  tokens: BearerVerifier;
  /** The browser session cookie. */
  sessions: SessionReader;
  service: SsoService;
  providerName: string;
}

/** Single sign-on with the configured OpenID provider; undefined while no issuer is configured. */
export function createSingleSignOn(
  settings: SsoSettings,
  repo: Pick<IdentityRepository, 'findTenant' | 'findMember'>,
): SingleSignOn | undefined {
  const { oidc, session, publicUrl } = settings;
  if (!oidc.issuer) return undefined;
  // The config refuses to load without these when an issuer is set.
  if (!oidc.clientId || !publicUrl || !session.secret) {
    throw new Error('OIDC needs a client id, a public URL and a session secret');
  }
  const provider = createIdentityProvider({
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
  });
  const mapping: ClaimMapping = {
    userClaim: oidc.userClaim,
    tenantClaim: oidc.tenantClaim,
    roleClaim: oidc.roleClaim,
    defaultTenant: oidc.defaultTenant,
  };
  const cookies = createSessionCookies({
    secret: session.secret,
    ttlMs: session.ttlMs,
    secure: publicUrl.startsWith('https:'),
  });
  return {
    tokens: createOidcTokenVerifier({ provider, repo, mapping, audience: oidc.audience ?? oidc.clientId }),
    sessions: createSessionReader({
      cookies,
      resolve: (identity) => resolveActor(repo, identity, 'session'),
    }),
    service: createSsoService({ provider, cookies, repo, mapping, publicUrl, scopes: oidc.scopes }),
    providerName: oidc.providerName ?? new URL(oidc.issuer).hostname,
  };
}
