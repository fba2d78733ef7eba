import { resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../app/config.js';
import type { Role } from '../modules/identity/index.js';
import {
  createIdentityRepository,
  createIdentityService,
  createKeyIndex,
  keyView,
  memberView,
  systemActor,
  tenantView,
} from '../modules/identity/index.js';
import {
  DataDirLockedError,
  isForeign,
  type LockHolder,
  lockPath,
  openStore,
  readDataDirLock,
} from '../platform/db/index.js';
import { AppError, type ErrorCode, errorCodes } from '../platform/errors.js';
import { CliError } from './cli-error.js';

export type TenantView = z.infer<typeof tenantView>;
export type MemberView = z.infer<typeof memberView>;
export type KeyView = z.infer<typeof keyView>;

/** What `berth tenants|users|keys` do, the same whether the CLI opens the store or asks the running server. */
export interface IdentityClient {
  /** How the client reaches the store: the embedded one opened here, Postgres, or a running server. */
  readonly via: { kind: 'pglite' | 'postgres' } | { kind: 'server'; url: string; pid: number };
  createTenant(input: { id: string; name?: string }): Promise<TenantView>;
  listTenants(): Promise<TenantView[]>;
  addUser(input: { tenantId: string; userId: string; role: Role }): Promise<MemberView>;
  listUsers(tenantId: string): Promise<MemberView[]>;
  createKey(input: {
    tenantId: string;
    name: string;
    role?: Role;
    userId?: string;
  }): Promise<{ key: string; record: KeyView }>;
  listKeys(tenantId: string): Promise<KeyView[]>;
  /** Revokes the one active key whose id or key starts with `idOrPrefix`; conflict (with candidates) when several do. */
  revokeKey(tenantId: string, idOrPrefix: string): Promise<{ record: KeyView; activeKeysLeft: number }>;
  close(): Promise<void>;
}

const iso = (date: Date) => date.toISOString();

/** Opens the store in this process (taking the data dir's lock), migrated. */
export async function openCliStore(config: Config, command: string) {
  // Loaded here: going through a running server needs none of the app's modules.
  const { defaultPgliteTemplate } = await import('../app.js');
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteTemplatePath: defaultPgliteTemplate,
    lock: { command },
  });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Opens the store in this process and acts as the operator (systemActor). */
async function openDirectClient(config: Config, command: string): Promise<IdentityClient> {
  const store = await openCliStore(config, command);
  const repo = createIdentityRepository(store.db);
  const identity = createIdentityService({ repo, keys: createKeyIndex(repo) });
  const actor = systemActor();
  const key = (k: Awaited<ReturnType<typeof identity.listKeys>>[number]): KeyView => ({
    id: k.id,
    name: k.name,
    role: k.role,
    user_id: k.userId,
    prefix: k.prefix,
    created_at: iso(k.createdAt),
    revoked_at: k.revokedAt ? iso(k.revokedAt) : null,
  });
  const member = (m: { userId: string; role: Role; createdAt: Date }): MemberView => ({
    user_id: m.userId,
    role: m.role,
    created_at: iso(m.createdAt),
  });
  const tenant = (t: { id: string; name: string; createdAt: Date }): TenantView => ({
    id: t.id,
    name: t.name,
    created_at: iso(t.createdAt),
  });
  return {
    via: { kind: store.kind },
    createTenant: async (input) => tenant(await identity.createTenant(actor, input)),
    listTenants: async () => (await identity.listTenants(actor)).map(tenant),
    addUser: async (input) => member(await identity.addUser(actor, input)),
    listUsers: async (tenantId) => (await identity.listUsers(actor, tenantId)).map(member),
    async createKey(input) {
      const created = await identity.createKey(actor, input);
      return { key: created.key, record: key(created.record) };
    },
    listKeys: async (tenantId) => (await identity.listKeys(actor, tenantId)).map(key),
    async revokeKey(tenantId, idOrPrefix) {
      const revoked = await identity.revokeKey(actor, tenantId, idOrPrefix);
      return { record: key(revoked), activeKeysLeft: await identity.activeKeyCount() };
    },
    close: () => store.close(),
  };
}

const errorEnvelope = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(errorCodes, code);

/** Ends a call the server does not answer (stuck, or gone between reading its lock and connecting). */
const REQUEST_TIMEOUT_MS = 15_000;

/** A call to the API of the server that holds the data dir, with its local admin token; its error envelope becomes an AppError. */
export function serverCaller(server: { url: string; token: string; pid: number }) {
  return async function call<T>(schema: z.ZodType<T>, method: 'GET' | 'POST', path: string, body?: unknown) {
    let response: Response;
    try {
      response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${server.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(
        `the data dir is held by the Berth server at ${server.url} (pid ${server.pid}), which did not answer: ${(error as Error).message}`,
        1,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const envelope = errorEnvelope.safeParse(json);
      if (!envelope.success) {
        throw new CliError(
          `the server at ${server.url} answered ${response.status}: ${text.slice(0, 200)}`,
          1,
        );
      }
      const { code, message, details } = envelope.data.error;
      throw new AppError(isErrorCode(code) ? code : 'internal_error', message, { details });
    }
    return schema.parse(json);
  };
}

/** Goes through the admin API of the server that holds the data dir, with its local admin token. */
export function createHttpClient(server: { url: string; token: string; pid: number }): IdentityClient {
  const call = serverCaller(server);
  const tenantPath = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}`;
  return {
    via: { kind: 'server', url: server.url, pid: server.pid },
    createTenant: (input) => call(tenantView, 'POST', '/api/tenants', input),
    listTenants: async () =>
      (await call(z.object({ tenants: z.array(tenantView) }), 'GET', '/api/tenants')).tenants,
    addUser: (input) =>
      call(memberView, 'POST', `${tenantPath(input.tenantId)}/users`, {
        user_id: input.userId,
        role: input.role,
      }),
    listUsers: async (tenantId) =>
      (await call(z.object({ users: z.array(memberView) }), 'GET', `${tenantPath(tenantId)}/users`)).users,
    async createKey(input) {
      const { key, ...record } = await call(
        keyView.extend({ key: z.string() }),
        'POST',
        `${tenantPath(input.tenantId)}/keys`,
        { name: input.name, role: input.role, user_id: input.userId },
      );
      return { key, record };
    },
    listKeys: async (tenantId) =>
      (await call(z.object({ keys: z.array(keyView) }), 'GET', `${tenantPath(tenantId)}/keys`)).keys,
    async revokeKey(tenantId, idOrPrefix) {
      const { active_keys_left, ...record } = await call(
        keyView.extend({ active_keys_left: z.number() }),
        'POST',
        `${tenantPath(tenantId)}/keys/${encodeURIComponent(idOrPrefix)}/revoke`,
      );
      return { record, activeKeysLeft: active_keys_left };
    },
    close: async () => {},
  };
}

function inUse(holder: LockHolder): CliError {
  const what = holder.command ? ` (berth ${holder.command})` : '';
  const wait = holder.command === 'start' || holder.command === undefined ? 'has started' : 'has finished';
  return new CliError(
    `the data dir is in use by pid ${holder.pid}${what}; try again when it ${wait}, or stop it`,
    1,
  );
}

/**
 * The store directly (Postgres, or an embedded data dir nobody holds), else the server that holds
 * the data dir and told its URL and token in the lock. A holder that did not (still starting, a
 * migration, another CLI command) is waited for by the user, not raced.
 */
export const openIdentityClient = (config: Config, command: string): Promise<IdentityClient> =>
  openStoreOrServer(config, {
    direct: () => openDirectClient(config, command),
    server: createHttpClient,
  });

/**
 * The store directly (Postgres, or an embedded data dir nobody holds), else the server that holds
 * the data dir and told its URL and token in the lock: the way every store command of the CLI goes.
 */
export async function openStoreOrServer<C>(
  config: Config,
  open: { direct(): Promise<C>; server(server: { url: string; token: string; pid: number }): C },
): Promise<C> {
  const viaHolder = (holder: LockHolder) => {
    // Its loopback URL is another container's: the command has to run where the server runs.
    if (isForeign(holder)) throw new DataDirLockedError(lockPath(resolve(config.dataDir)), holder);
    if (!holder.url || !holder.token) throw inUse(holder);
    return open.server({ url: holder.url, token: holder.token, pid: holder.pid });
  };
  // A first look spares loading the store when a server holds the data dir; taking the lock decides.
  const embedded = !config.databaseUrl && !config.dataDir.startsWith('memory://');
  const holder = embedded ? await readDataDirLock(resolve(config.dataDir)) : undefined;
  if (holder) return viaHolder(holder);
  try {
    return await open.direct();
  } catch (error) {
    if (error instanceof DataDirLockedError) return viaHolder(error.holder);
    throw error;
  }
}
