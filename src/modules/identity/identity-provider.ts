import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as oidc from 'openid-client';
import { AppError } from '../../platform/errors.js';

export interface IdentityProviderOptions {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, no client authentication). */
  clientSecret?: string;
  /** Each call to the provider (discovery, keys, token, userinfo). Default 10 s. */
  timeoutMs?: number;
}

/** What the provider is asked at sign-in, from the authorization response to the claims. */
export interface CodeExchange {
  /** The callback URL as the browser reached it (redirect URI plus the provider's query). */
  callbackUrl: URL;
  redirectUri: string;
  codeVerifier: string;
  state: string;
  nonce: string;
}

const isLoopback = (url: URL) => /^(localhost|127\.[\d.]+|\[::1\])$/.test(url.hostname);

export const providerUnavailable = (issuer: string, cause: unknown) =>
  new AppError(
    'identity_provider_unavailable',
    `The identity provider ${issuer} could not be reached: ${(cause as Error)?.message ?? cause}`,
    { cause },
  );

/**
 * The OpenID provider, as Berth talks to it: discovery (on first use, retried after a failure, so
 * Berth starts while the provider is down), its signing keys (jose caches them and refetches on an
 * unknown key id) and the authorization code grant.
 */
export function createIdentityProvider(options: IdentityProviderOptions) {
  const issuerUrl = new URL(options.issuer);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let discovered: Promise<oidc.Configuration> | undefined;
  let keys: JWTVerifyGetKey | undefined;

  function configuration(): Promise<oidc.Configuration> {
    discovered ??= oidc
      .discovery(
        issuerUrl,
        options.clientId,
        options.clientSecret,
        options.clientSecret ? undefined : oidc.None(),
        {
          timeout: Math.ceil(timeoutMs / 1000),
          // Plain http only on loopback, which the config allows for a provider on the same machine.
          execute:
            issuerUrl.protocol === 'http:' && isLoopback(issuerUrl) ? [oidc.allowInsecureRequests] : [],
        },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw providerUnavailable(options.issuer, error);
      });
    return discovered;
  }

  return {
    /** As configured (the discovered one is in `verification()`). */
    issuer: options.issuer,
    configuration,

    /** The issuer exactly as the provider names itself, and its signing keys. */
    async verification(): Promise<{ issuer: string; keys: JWTVerifyGetKey }> {
      const metadata = (await configuration()).serverMetadata();
      if (!metadata.jwks_uri) {
        throw new AppError('identity_provider_unavailable', `${options.issuer} publishes no jwks_uri`);
      }
      keys ??= createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: timeoutMs });
      return { issuer: metadata.issuer, keys };
    },

    async authorizationUrl(parameters: Record<string, string>): Promise<URL> {
      return oidc.buildAuthorizationUrl(await configuration(), parameters);
    },

    /** Trades the code for tokens (checking state, nonce and PKCE); the ID token's claims. */
    async exchangeCode(input: CodeExchange) {
      const config = await configuration();
      const tokens = await oidc.authorizationCodeGrant(
        config,
        input.callbackUrl,
        {
          pkceCodeVerifier: input.codeVerifier,
          expectedState: input.state,
          expectedNonce: input.nonce,
          idTokenExpected: true,
        },
        { redirect_uri: input.redirectUri },
      );
      const claims = tokens.claims();
      if (!claims) throw new AppError('unauthorized', 'The identity provider returned no ID token');
      return { claims: claims as Record<string, unknown>, accessToken: tokens.access_token };
    },

    /** The userinfo endpoint's claims for the subject, or undefined when the provider has none. */
    async userInfo(accessToken: string, subject: string): Promise<Record<string, unknown> | undefined> {
      const config = await configuration();
      if (!config.serverMetadata().userinfo_endpoint) return undefined;
      return (await oidc.fetchUserInfo(config, accessToken, subject)) as Record<string, unknown>;
    },
  };
}
export type IdentityProvider = ReturnType<typeof createIdentityProvider>;
