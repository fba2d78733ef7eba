import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import type { BearerVerifier } from './access-control.js';
import type { IdentityRepository } from './identity.repository.js';
import type { IdentityProvider } from './identity-provider.js';
import { providerUnavailable } from './identity-provider.js';
import { type ClaimMapping, identityFromClaims, resolveActor } from './oidc-claims.js';

/**
 * Asymmetric signatures only: with HS* anyone holding the shared secret (every client of the
 * provider, for some) could mint tokens, and `none` is no signature at all.
 */
export const TOKEN_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

// Three base64url parts; the last is empty in an unsigned token, which is claimed here to be refused.
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

export interface OidcTokenOptions {
  provider: IdentityProvider;
  repo: Pick<IdentityRepository, 'findTenant' | 'findMember'>;
  mapping: ClaimMapping;
  /** The `aud` a token must carry. */
  audience: string;
  /** Leeway for exp and nbf against clock drift between Berth and the provider. Default 30 s. */
  clockToleranceSec?: number;
}

const refused = (message: string) => new AppError('unauthorized', `Bearer token refused: ${message}`);
/** A claim value from a token that failed a check, quoted and cut short (it is the sender's text). */
const quote = (value: unknown) => JSON.stringify(String(value).slice(0, 100));

function checkHeader(token: string) {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw refused('it is not a readable JWT');
  }
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') throw refused('it is not signed (alg none)');
  if (!TOKEN_ALGORITHMS.includes(alg)) {
    throw refused(`it is signed with ${quote(alg)}; only RS*, PS*, ES* and EdDSA signatures are accepted`);
  }
}

function explain(error: unknown, issuer: string, audience: string): AppError {
  if (!(error instanceof errors.JOSEError)) return providerUnavailable(issuer, error);
  if (error instanceof errors.JWTExpired) {
    const exp = Number(error.payload.exp);
    return refused(`it expired${Number.isFinite(exp) ? ` at ${new Date(exp * 1000).toISOString()}` : ''}`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return refused(`it is not meant for Berth (its audience is not ${quote(audience)})`);
    if (error.claim === 'nbf') return refused('it is not valid yet');
    return refused(`its "${error.claim}" claim is invalid (${error.reason})`);
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return refused(`it is signed with a key ${issuer} does not publish`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused('its signature does not verify');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return providerUnavailable(issuer, error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return refused('its signature algorithm is not accepted');
  return refused('it is not a valid JWT');
}

/** JWT access tokens of the configured provider: signature (its JWKS), issuer, audience, expiry. */
export function createOidcTokenVerifier(options: OidcTokenOptions): BearerVerifier {
  const clockTolerance = options.clockToleranceSec ?? 30;
  return {
    claims: (token) => JWT_SHAPE.test(token),
    async verify(token): Promise<Actor> {
      checkHeader(token);
      let claimedIssuer: unknown;
      try {
        claimedIssuer = decodeJwt(token).iss;
      } catch {
        throw refused('its payload is not readable');
      }
      const { issuer, keys } = await options.provider.verification();
      // Checked before the signature so a foreign token is named as such (it never gets further).
      if (claimedIssuer !== issuer) {
        throw refused(
          `it was issued by ${claimedIssuer === undefined ? 'no one' : quote(claimedIssuer)}, not by ${issuer}`,
        );
      }
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer,
          audience: options.audience,
          algorithms: TOKEN_ALGORITHMS,
          clockTolerance,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw explain(error, issuer, options.audience);
      }
      const identity = identityFromClaims(payload, options.mapping);
      if (!identity.ok) throw identity.error;
      return resolveActor(options.repo, identity.value, 'token');
    },
  };
}
