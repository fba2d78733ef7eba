import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { AppError } from '../errors.js';
import type { Logger } from '../telemetry/index.js';
import type { Actor } from './access.js';
import type { HttpApp } from './server.js';

/** Requests each actor and each tenant may make in a fixed window of one minute. */
export interface RateLimitOptions {
  /** Requests a minute of one actor: its API key, else its user, within its tenant. 0 = no limit. */
  perActorPerMinute: number;
  /** Requests a minute of all actors of one tenant together. 0 = no limit. */
  perTenantPerMinute: number;
  /** Counts in Redis, shared by every process with the same prefix; without it, each process counts in memory. */
  redis?: { url: string; prefix: string };
  registry: Registry;
  logger: Logger;
}

type Scope = 'actor' | 'tenant';
type Check = ReturnType<HttpApp['createRateLimit']>;
type Counted = Extract<Awaited<ReturnType<Check>>, { isAllowed: false }>;
interface Limit {
  scope: Scope;
  check: Check;
}

const WINDOW_MS = 60_000;
// Actors a memory store tracks at once; one evicted early only gets a fresh window.
const MEMORY_ACTORS = 10_000;

/**
 * Only a credential names someone to count. Anonymous callers (auth off, or not required yet)
 * share one identity, so a limit on them would throttle the whole server; `local` is the
 * operator's own (the system actor).
 */
const countedActor = (request: FastifyRequest): Actor | undefined => {
  const actor = request.actor as Actor | undefined;
  return actor && (actor.via === 'key' || actor.via === 'token' || actor.via === 'session')
    ? actor
    : undefined;
};

// Tenant ids are slugs (no ":"), so the parts cannot run into each other.
const keyOf: Record<Scope, (actor: Actor) => string> = {
  actor: (actor) => `${actor.tenantId}:${actor.keyId ? `key:${actor.keyId}` : `user:${actor.userId}`}`,
  tenant: (actor) => actor.tenantId,
};

/**
 * Its own Redis connection, failing fast: with the offline queue off, a count sent while Redis is
 * down fails at once (and the request passes) instead of waiting for Redis to come back.
 */
function limiterRedis(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: 500,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  // Each failed reconnect is an 'error' event; the outage is logged once, where a count fails.
  redis.on('error', () => {});
  return redis;
}

/**
 * One plugin instance per limit, each in a scope of its own: `createRateLimit(options)` would give
 * a child store whose keys carry a route's method and URL ("undefinedundefined-" outside a route).
 */
async function createLimit(
  app: HttpApp,
  scope: Scope,
  max: number,
  store: { redis?: Redis; prefix: string },
): Promise<Limit> {
  let check: Check | undefined;
  await app.register(async (limitScope) => {
    await limitScope.register(fastifyRateLimit, {
      global: false,
      max,
      timeWindow: WINDOW_MS,
      // The hook below catches a failing store itself, to let the request pass and say so once.
      skipOnError: false,
      keyGenerator: (request) => keyOf[scope](request.actor),
      ...(store.redis
        ? { redis: store.redis, nameSpace: `${store.prefix}:rate-limit:${scope}:` }
        : { cache: MEMORY_ACTORS }),
    });
    check = limitScope.createRateLimit();
  });
  if (!check) throw new Error(`rate limit ${scope} was not created`);
  return { scope, check };
}

function setHeaders(reply: FastifyReply, counted: Counted) {
  reply.header('x-ratelimit-limit', counted.max);
  reply.header('x-ratelimit-remaining', counted.remaining);
  reply.header('x-ratelimit-reset', counted.ttlInSeconds);
}

function tooMany(scope: Scope, actor: Actor, counted: Counted): AppError {
  const who = scope === 'tenant' ? 'this tenant' : actor.keyId ? 'this API key' : 'this user';
  return new AppError(
    'rate_limited',
    `Too many requests for ${who}: at most ${counted.max} a minute; retry in ${counted.ttlInSeconds} s`,
    { details: { scope, limit: counted.max, retry_after_s: counted.ttlInSeconds } },
  );
}

/** Logs the first failed count of an outage and the first count after it, nothing in between. */
function outageLog(logger: Logger) {
  let down = false;
  return {
    failed(error: unknown) {
      if (down) return;
      down = true;
      logger.warn(
        { err: error },
        'rate limits are not enforced: their Redis store is unreachable, requests pass uncounted until it is back',
      );
    },
    succeeded() {
      if (!down) return;
      down = false;
      logger.info('rate limits are enforced again: their Redis store is back');
    },
  };
}

/** Counts the request against each limit in turn; the first one it exceeds refuses it. */
function countingHook(limits: Limit[], refused: Counter<'scope'>, outage: ReturnType<typeof outageLog>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = countedActor(request);
    if (!actor) return;
    let tightest: Counted | undefined;
    for (const { scope, check } of limits) {
      let counted: Awaited<ReturnType<Check>>;
      try {
        counted = await check(request);
      } catch (error) {
        outage.failed(error);
        continue;
      }
      outage.succeeded();
      if (counted.isAllowed) continue;
      if (counted.isExceeded) {
        setHeaders(reply, counted);
        reply.header('retry-after', counted.ttlInSeconds);
        refused.inc({ scope });
        throw tooMany(scope, actor, counted);
      }
      if (!tightest || counted.remaining < tightest.remaining) tightest = counted;
    }
    if (tightest) setHeaders(reply, tightest);
  };
}

/**
 * Per-actor and per-tenant limits, checked after authentication (the actor is known) and before
 * the body is read. The actor's limit comes first: requests it refuses do not count against the
 * tenant, so one key over its limit cannot use up its tenant's budget for the others.
 */
export async function registerRateLimits(app: HttpApp, options: RateLimitOptions): Promise<void> {
  const refused = new Counter({
    name: 'berth_rate_limited_total',
    help: 'Requests refused with 429 rate_limited, by the limit they hit',
    labelNames: ['scope'] as const,
    registers: [options.registry],
  });
  const maxima: Record<Scope, number> = {
    actor: options.perActorPerMinute,
    tenant: options.perTenantPerMinute,
  };
  const scopes = (['actor', 'tenant'] as const).filter((scope) => maxima[scope] > 0);
  for (const scope of scopes) refused.inc({ scope }, 0);
  if (scopes.length === 0) return;

  const redis = options.redis ? limiterRedis(options.redis.url) : undefined;
  const outage = outageLog(options.logger);
  if (redis) {
    app.addHook('onClose', async () => redis.disconnect());
    // Not fatal: the limits fail open until Redis answers, and ioredis keeps reconnecting.
    await redis.connect().catch((error: unknown) => outage.failed(error));
  }
  const store = { redis, prefix: options.redis?.prefix ?? '' };
  const limits: Limit[] = [];
  for (const scope of scopes) limits.push(await createLimit(app, scope, maxima[scope], store));

  // preParsing runs after every onRequest hook, the access hook included.
  app.addHook('preParsing', countingHook(limits, refused, outage));
}
