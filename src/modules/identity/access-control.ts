import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import type { AccessControl, Actor } from '../../platform/http/index.js';
import { DEFAULT_TENANT, LOCAL_USER } from './identity.tables.js';
import { hashKey, type KeyIndex } from './key-index.js';
import { allows, SYSTEM_ROLE } from './policy.js';

/** A kind of bearer token other than an API key (an OpenID provider's JWT access tokens). */
export interface BearerVerifier {
  /** Whether the token looks like one of this kind (then an invalid one is refused, not tried as a key). */
  claims(token: string): boolean;
  /** The actor; throws AppError `unauthorized` saying why a token of this kind is refused. */
  verify(token: string): Promise<Actor>;
}

/** Reads a signed-in browser session (cookie). */
export interface SessionReader {
  /** The actor of a valid session, undefined when the request carries none. */
  read(request: FastifyRequest): Promise<Actor | undefined>;
}

export interface AccessControlOptions {
  /** auto: credentials are required once any key was ever created (or OIDC is on); on: always; off: never. */
  mode: 'auto' | 'on' | 'off';
  /** Keys from BERTH_API_KEYS: owners of the default tenant, acting as its local user. */
  envKeys: string[];
  keys: KeyIndex;
  /** The running server's own admin token (kept in its data dir lock) for the CLI: every right. */
  localToken?: string;
  tokens?: BearerVerifier;
  sessions?: SessionReader;
}

/** The one user of a Berth whose auth is off or not yet needed. */
export const localActor = (via: Actor['via']): Actor => ({
  tenantId: DEFAULT_TENANT,
  userId: LOCAL_USER,
  role: 'owner',
  via,
});

export const systemActor = (): Actor => ({
  tenantId: '*',
  userId: 'system',
  role: SYSTEM_ROLE,
  via: 'local',
});

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError('unauthorized', 'Authorization must be "Bearer <key or token>"');
  return match[1];
}

const sameSecret = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createAccessControl(options: AccessControlOptions) {
  const envHashes = new Set(options.envKeys.map(hashKey));

  async function required(): Promise<boolean> {
    if (options.mode !== 'auto') return options.mode === 'on';
    return (
      envHashes.size > 0 ||
      options.tokens !== undefined ||
      options.sessions !== undefined ||
      (await options.keys.everCreated())
    );
  }

  async function fromBearer(token: string): Promise<Actor> {
    if (options.localToken && sameSecret(token, options.localToken)) return systemActor();
    const hash = hashKey(token);
    // Each BERTH_API_KEYS key is told apart (rate limits, logs) by the start of its hash.
    if (envHashes.has(hash)) return { ...localActor('key'), keyId: `env:${hash.slice(0, 8)}` };
    if (options.tokens?.claims(token)) return options.tokens.verify(token);
    const key = await options.keys.find(token);
    if (!key) throw new AppError('unauthorized', 'Invalid or revoked API key');
    return {
      tenantId: key.tenantId,
      userId: key.userId ?? `key:${key.id}`,
      role: key.role,
      via: 'key',
      keyId: key.id,
    };
  }

  const access: AccessControl = {
    async authenticate(request) {
      if (options.mode === 'off') {
        // With auth off the CLI still needs the operator's rights (tenants, users) over the API.
        const header = request.headers.authorization;
        if (options.localToken && header && sameSecret(header, `Bearer ${options.localToken}`)) {
          return systemActor();
        }
        return localActor('anonymous');
      }
      const token = bearerToken(request);
      if (token) return fromBearer(token);
      const session = await options.sessions?.read(request);
      if (session) return session;
      if (await required()) {
        throw new AppError('unauthorized', 'Missing credentials: send "Authorization: Bearer <key>"');
      }
      return localActor('anonymous');
    },
    allows,
  };
  return {
    access,
    required,
    /** Whether anyone can get in at all: false once auth is required and no credential is left. */
    async anyCredential(): Promise<boolean> {
      return envHashes.size > 0 || options.tokens !== undefined || (await options.keys.activeCount()) > 0;
    },
  };
}
export type AccessControlService = ReturnType<typeof createAccessControl>;
