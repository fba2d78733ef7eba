import * as oidc from 'openid-client';
import { AppError, isAppError } from '../../platform/errors.js';
import type { IdentityRepository } from './identity.repository.js';
import type { IdentityProvider } from './identity-provider.js';
import { providerUnavailable } from './identity-provider.js';
import { type ClaimMapping, identityFromClaims, resolveActor } from './oidc-claims.js';
import { type CookieJar, CSRF_HEADER, checkCsrf, type SessionCookies } from './session.js';

export interface SsoServiceDeps {
  provider: IdentityProvider;
  cookies: SessionCookies;
  repo: Pick<IdentityRepository, 'findTenant' | 'findMember'>;
  mapping: ClaimMapping;
  /** The URL browsers reach Berth at, without a trailing slash. */
  publicUrl: string;
  scopes: string;
}

/** Where the UI lands when there is nowhere better to go back to. */
export const HOME = '/chat';

/** Only a path of this site: anything else (`//evil.example`, `https://…`, `/\evil`) would be an open redirect. */
export const safeReturnTo = (value: string | undefined): string =>
  value && value.length <= 2000 && /^\/(?![/\\])[^\\\s]*$/.test(value) ? value : HOME;

const causeOf = (error: Error): string =>
  error.cause instanceof Error ? error.cause.message : error.message;

/** Why a sign-in failed, in words for the person signing in (no tokens, no codes). */
function signInFailed(error: unknown, issuer: string): AppError {
  if (isAppError(error)) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    const description = error.error_description ? ` (${error.error_description})` : '';
    return new AppError(
      'unauthorized',
      `The identity provider did not sign you in: ${error.error}${description}`,
    );
  }
  if (error instanceof oidc.ResponseBodyError) {
    const description = error.error_description ? ` (${error.error_description})` : '';
    return new AppError(
      'unauthorized',
      `The identity provider refused the sign-in: ${error.error}${description}`,
    );
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    return new AppError('unauthorized', 'The identity provider refused to tell who signed in (userinfo)');
  }
  if (error instanceof oidc.ClientError && error.code !== 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
    return new AppError('unauthorized', `The sign-in answer did not check out: ${causeOf(error)}`);
  }
  return providerUnavailable(issuer, error);
}

/** Sign-in with the authorization code flow (PKCE, state and nonce), and sign-out. */
export function createSsoService(deps: SsoServiceDeps) {
  const redirectUri = `${deps.publicUrl}/auth/callback`;
  const { userClaim, tenantClaim, roleClaim } = deps.mapping;

  async function claimsOf(code: Awaited<ReturnType<IdentityProvider['exchangeCode']>>) {
    const { claims, accessToken } = code;
    // Many providers keep profile and custom claims out of the ID token; userinfo has them.
    const complete = [userClaim, tenantClaim, roleClaim].every((name) => name in claims);
    if (complete || typeof claims.sub !== 'string') return claims;
    const info = await deps.provider.userInfo(accessToken, claims.sub);
    return { ...info, ...claims };
  }

  return {
    redirectUri,

    /** The provider's authorization URL, and the cookie that remembers this attempt for the callback. */
    async signIn(returnTo: string | undefined) {
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = await deps.provider.authorizationUrl({
        redirect_uri: redirectUri,
        scope: deps.scopes,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const cookie = await deps.cookies.signIn({
        state,
        nonce,
        codeVerifier,
        returnTo: safeReturnTo(returnTo),
      });
      return { location: url.href, cookie };
    },

    /**
     * Finishes a sign-in: checks the answer against the attempt, trades the code, maps the claims to
     * a member of a tenant (checked now, so a non-member hears it at once) and starts the session.
     */
    async callback(requestUrl: string, jar: CookieJar) {
      const flow = await deps.cookies.readSignIn(jar);
      if (!flow) {
        throw new AppError(
          'unauthorized',
          'This sign-in expired (10 minutes) or was started in another browser: sign in again',
        );
      }
      const callbackUrl = new URL(redirectUri);
      callbackUrl.search = new URL(requestUrl, 'http://berth.invalid').search;
      try {
        const code = await deps.provider.exchangeCode({ callbackUrl, redirectUri, ...flow });
        const identity = identityFromClaims(await claimsOf(code), deps.mapping);
        if (!identity.ok) throw identity.error;
        const actor = await resolveActor(deps.repo, identity.value, 'session');
        const cookies = [...(await deps.cookies.start(identity.value)), deps.cookies.clearSignIn()];
        return { location: flow.returnTo, cookies, actor };
      } catch (error) {
        throw signInFailed(error, deps.provider.issuer);
      }
    },

    /** The cookies of a failed sign-in: why (for the UI), and the attempt forgotten. */
    failureCookies: (message: string) => [deps.cookies.signInError(message), deps.cookies.clearSignIn()],

    /** The cookies that end the session; a live session must show its CSRF token to be ended. */
    async signOut(method: string, headers: Record<string, string | string[] | undefined>, jar: CookieJar) {
      const session = await deps.cookies.read(jar);
      if (session && session !== 'invalid') checkCsrf(method, headers[CSRF_HEADER], session);
      return [...deps.cookies.clear(), deps.cookies.clearSignIn()];
    },
  };
}
export type SsoService = ReturnType<typeof createSsoService>;
