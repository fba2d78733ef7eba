import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SerializeOptions } from '@fastify/cookie';
import { EncryptJWT, type JWTPayload, jwtDecrypt } from 'jose';
import { AppError } from '../../platform/errors.js';
import type { Actor } from '../../platform/http/index.js';
import type { SessionReader } from './access-control.js';
import { type Role, roles } from './identity.tables.js';
import type { ClaimedIdentity } from './oidc-claims.js';

/** The signed-in session: encrypted and authenticated, unreadable to scripts. */
export const SESSION_COOKIE = 'berth_session';
/** The session's CSRF token, readable by the UI, which echoes it in CSRF_HEADER. */
export const CSRF_COOKIE = 'berth_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** State, nonce and PKCE verifier between /auth/login and /auth/callback. */
export const SIGN_IN_COOKIE = 'berth_sign_in';
/**
 * Why a sign-in failed, for the UI to show once. A cookie rather than a query parameter: a link from
 * another site cannot put words in Berth's mouth this way.
 */
export const SIGN_IN_ERROR_COOKIE = 'berth_sign_in_error';

const SIGN_IN_TTL_S = 600;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionCookieOptions {
  /** At least 32 characters; the same on every api replica. */
  secret: string;
  ttlMs: number;
  /** Secure cookies: on when Berth's public URL is https. */
  secure: boolean;
}

export interface Session extends ClaimedIdentity {
  csrf: string;
}

export interface SignInFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/** The request's cookies, parsed (by @fastify/cookie, which the SSO routes register). */
export type CookieJar = Record<string, string | undefined>;

/** A cookie to set (reply.setCookie); an empty value with maxAge 0 removes it. */
export interface CookieWrite {
  name: string;
  value: string;
  options: SerializeOptions;
}

// One key per purpose, so a sign-in cookie can never be replayed as a session or the other way round.
const deriveKey = (secret: string, purpose: string) =>
  new Uint8Array(hkdfSync('sha256', secret, 'berth', purpose, 32));

const sameToken = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The cookies of a browser sign-in. Sessions are stateless (an encrypted JWT, A256GCM), so any api
 * replica with the same secret reads them; the cost is that a copied cookie works until it expires,
 * even after sign-out, which only makes the browser forget it.
 *
 * SameSite: the session and CSRF cookies are Strict — the UI is a single page whose data all comes
 * from same-site fetches, so nothing needs them on a navigation from another site, and a forged
 * cross-site request never carries them. The sign-in cookie must be Lax: the provider's redirect to
 * /auth/callback is a cross-site navigation.
 */
export function createSessionCookies(options: SessionCookieOptions) {
  const sessionKey = deriveKey(options.secret, 'session v1');
  const signInKey = deriveKey(options.secret, 'sign-in v1');
  const ttlS = Math.floor(options.ttlMs / 1000);
  const base = { path: '/', secure: options.secure };

  const seal = (payload: JWTPayload, key: Uint8Array, audience: string, seconds: number) =>
    new EncryptJWT(payload)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuer('berth')
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${seconds}s`)
      .encrypt(key);

  async function open(value: string, key: Uint8Array, audience: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtDecrypt(value, key, {
        issuer: 'berth',
        audience,
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  const expired = (name: string, path = '/'): CookieWrite => ({
    name,
    value: '',
    options: { ...base, path, httpOnly: true, sameSite: 'lax', maxAge: 0 },
  });

  return {
    /** The cookies that sign the identity in: the session and its CSRF token. */
    async start(identity: ClaimedIdentity): Promise<CookieWrite[]> {
      const csrf = randomBytes(32).toString('base64url');
      const { userId, tenantId, role } = identity;
      const value = await seal({ sub: userId, tid: tenantId, role, csrf }, sessionKey, 'session', ttlS);
      return [
        {
          name: SESSION_COOKIE,
          value,
          options: { ...base, httpOnly: true, sameSite: 'strict', maxAge: ttlS },
        },
        {
          name: CSRF_COOKIE,
          value: csrf,
          options: { ...base, httpOnly: false, sameSite: 'strict', maxAge: ttlS },
        },
      ];
    },

    /** The session among the cookies: undefined without one, 'invalid' when expired or forged. */
    async read(jar: CookieJar): Promise<Session | 'invalid' | undefined> {
      const value = jar[SESSION_COOKIE];
      if (!value) return undefined;
      const payload = await open(value, sessionKey, 'session');
      const { sub, tid, role, csrf } = payload ?? {};
      if (typeof sub !== 'string' || typeof tid !== 'string' || typeof csrf !== 'string') return 'invalid';
      const known = typeof role === 'string' && (roles as readonly string[]).includes(role);
      return { userId: sub, tenantId: tid, csrf, ...(known ? { role: role as Role } : {}) };
    },

    /** The cookies that sign out. */
    clear: (): CookieWrite[] => [expired(SESSION_COOKIE), expired(CSRF_COOKIE)],

    async signIn(flow: SignInFlow): Promise<CookieWrite> {
      const value = await seal({ ...flow }, signInKey, 'sign-in', SIGN_IN_TTL_S);
      return {
        name: SIGN_IN_COOKIE,
        value,
        options: { ...base, path: '/auth/callback', httpOnly: true, sameSite: 'lax', maxAge: SIGN_IN_TTL_S },
      };
    },

    async readSignIn(jar: CookieJar): Promise<SignInFlow | undefined> {
      const value = jar[SIGN_IN_COOKIE];
      const payload = value ? await open(value, signInKey, 'sign-in') : undefined;
      const { state, nonce, codeVerifier, returnTo } = payload ?? {};
      if ([state, nonce, codeVerifier, returnTo].some((v) => typeof v !== 'string')) return undefined;
      return { state, nonce, codeVerifier, returnTo } as SignInFlow;
    },

    clearSignIn: () => expired(SIGN_IN_COOKIE, '/auth/callback'),

    signInError: (message: string): CookieWrite => ({
      name: SIGN_IN_ERROR_COOKIE,
      value: message.slice(0, 500),
      options: { ...base, httpOnly: false, sameSite: 'lax', maxAge: 60 },
    }),
  };
}
export type SessionCookies = ReturnType<typeof createSessionCookies>;

/**
 * A request that changes something and rides on the session cookie must echo the session's CSRF
 * token in a header, which a page on another site cannot read nor set. Bearer tokens need none.
 */
export function checkCsrf(method: string, header: string | string[] | undefined, session: Session) {
  if (SAFE_METHODS.has(method)) return;
  const sent = Array.isArray(header) ? header[0] : header;
  if (!sent || !sameToken(sent, session.csrf)) {
    throw new AppError(
      'forbidden',
      `Missing or wrong CSRF token: a ${method} signed in by the session cookie must send the ${CSRF_COOKIE} cookie's value in ${CSRF_HEADER}`,
    );
  }
}

/** Reads the session cookie into an actor (via `session`), refusing unsafe requests without the CSRF token. */
export function createSessionReader(deps: {
  cookies: SessionCookies;
  resolve(identity: ClaimedIdentity): Promise<Actor>;
}): SessionReader {
  return {
    async read(request) {
      // Parsed here: the access hook runs before @fastify/cookie's own onRequest hook would.
      const session = await deps.cookies.read(request.server.parseCookie(request.headers.cookie ?? ''));
      if (session === undefined) return undefined;
      if (session === 'invalid') {
        throw new AppError('unauthorized', 'Your sign-in has expired or is no longer valid: sign in again');
      }
      checkCsrf(request.method, request.headers[CSRF_HEADER], session);
      return deps.resolve(session);
    },
  };
}
