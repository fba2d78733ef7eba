import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdentityRepository,
  createIdentityService,
  createKeyIndex,
  systemActor,
} from '../../src/modules/identity/index.js';
import { openStore } from '../../src/platform/db/index.js';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type ErrorBody, getJson } from '../support/http.js';
import { PGLITE_TEMPLATE } from '../support/paths.js';
import {
  deleteRedisKeys,
  REDIS_URL,
  redisServerSkipReason,
  redisSkipReason,
  startPrivateRedis,
} from '../support/services.js';

const redisSkip = await redisSkipReason();
const redisServerSkip = redisServerSkipReason();
const uniquePrefix = (name: string) =>
  `berth-rl-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** A data dir whose store already holds these tenants, each with keys of its own (plain keys by tenant). */
async function seededDataDir(keysByTenant: Record<string, number>) {
  const dir = tempDir();
  const store = await openStore({ dataDir: dir, pgliteTemplatePath: PGLITE_TEMPLATE });
  const keys: Record<string, string[]> = {};
  try {
    await store.migrate();
    const repo = createIdentityRepository(store.db);
    const identity = createIdentityService({ repo, keys: createKeyIndex(repo) });
    for (const [tenantId, count] of Object.entries(keysByTenant)) {
      await identity.createTenant(systemActor(), { id: tenantId });
      keys[tenantId] = [];
      for (let i = 0; i < count; i++) {
        const created = await identity.createKey(systemActor(), { tenantId, name: `key ${i}` });
        keys[tenantId].push(created.key);
      }
    }
  } finally {
    await store.close();
  }
  return { dir, keys };
}

const me = (berth: BerthInstance, key: string) =>
  getJson<ErrorBody>(`${berth.url}/api/me`, { authorization: `Bearer ${key}` });

async function statuses(berth: BerthInstance, key: string, times: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) seen.push((await me(berth, key)).status);
  return seen;
}

function metricValue(metrics: string, scope: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`berth_rate_limited_total{scope="${scope}"}`));
  return Number(line?.split(' ').at(-1));
}

const stores = [
  { name: 'memory store', skip: undefined, redis: false },
  { name: 'Redis store', skip: redisSkip, redis: true },
];

for (const store of stores) {
  describe.skipIf(store.skip)(
    `rate limits (${store.name})${store.skip ? ` — skipped: ${store.skip}` : ''}`,
    () => {
      const prefix = uniquePrefix('limits');
      let berth: BerthInstance;
      let keys: Record<string, string[]>;
      let dir: string;
      beforeAll(async () => {
        ({ dir, keys } = await seededDataDir({ acme: 3, globex: 1 }));
        berth = await startBerth({
          dataDir: dir,
          env: {
            BERTH_RATE_LIMIT_PER_MINUTE: '3',
            BERTH_TENANT_RATE_LIMIT_PER_MINUTE: '5',
            ...(store.redis ? { REDIS_URL, BERTH_REDIS_PREFIX: prefix } : {}),
          },
        });
      });
      afterAll(async () => {
        await berth?.close();
        rmSync(dir, { recursive: true, force: true });
        if (store.redis) await deleteRedisKeys(REDIS_URL, prefix);
      });

      it('refuses a key over its limit with 429 and Retry-After, while another key of its tenant passes', async () => {
        const [first, second] = keys.acme as [string, string];
        const passed = await me(berth, first);
        expect(passed.status).toBe(200);
        expect(passed.headers.get('x-ratelimit-limit')).toBe('3');
        expect(passed.headers.get('x-ratelimit-remaining')).toBe('2');
        expect(await statuses(berth, first, 2)).toEqual([200, 200]);

        const refused = await me(berth, first);
        expect(refused.status).toBe(429);
        expect(refused.body.error).toMatchObject({
          code: 'rate_limited',
          message: expect.stringMatching(/this API key: at most 3 a minute/),
          details: { scope: 'actor', limit: 3 },
          request_id: refused.headers.get('x-request-id'),
        });
        const retryAfter = Number(refused.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
        expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
        expect(Number(refused.headers.get('x-ratelimit-reset'))).toBe(retryAfter);

        // The refused request did not count against the tenant: 3 of its 5 are used.
        expect(await statuses(berth, second, 2)).toEqual([200, 200]);
      });

      it("stops every key of a tenant at the tenant's limit, but not another tenant's key", async () => {
        const [, second, third] = keys.acme as [string, string, string];
        const refused = await me(berth, second);
        expect(refused.status).toBe(429);
        expect(refused.body.error).toMatchObject({
          code: 'rate_limited',
          details: { scope: 'tenant', limit: 5 },
        });
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        expect((await me(berth, third)).status).toBe(429);
        expect((await me(berth, keys.globex?.[0] as string)).status).toBe(200);
      });

      it('counts refusals by limit in /metrics', async () => {
        const metrics = await (await fetch(`${berth.url}/metrics`)).text();
        expect(metricValue(metrics, 'actor')).toBe(1);
        expect(metricValue(metrics, 'tenant')).toBe(2);
      });

      it('leaves open routes and failed authentication uncounted', async () => {
        for (let i = 0; i < 4; i++) {
          const health = await fetch(`${berth.url}/healthz`);
          expect(health.status).toBe(200);
          expect(health.headers.get('x-ratelimit-limit')).toBeNull();
          expect((await me(berth, 'not-a-key')).status).toBe(401);
        }
        expect((await me(berth, keys.globex?.[0] as string)).headers.get('x-ratelimit-remaining')).toBe('1');
      });

      it.runIf(store.redis)('keeps its counts in Redis under the configured prefix', async () => {
        const redis = new Redis(REDIS_URL);
        try {
          const names = await redis.keys(`${prefix}:rate-limit:*`);
          expect(names.length).toBeGreaterThanOrEqual(4);
          expect(names).toContain(`${prefix}:rate-limit:tenant:acme`);
          expect(names.filter((n) => n.startsWith(`${prefix}:rate-limit:actor:acme:key:`))).toHaveLength(3);
        } finally {
          redis.disconnect();
        }
      });
    },
  );
}

describe('rate limits without a credential', () => {
  it('count no one while auth is not required: every caller is the same anonymous actor', async () => {
    const berth = await startBerth({
      env: { BERTH_RATE_LIMIT_PER_MINUTE: '1', BERTH_TENANT_RATE_LIMIT_PER_MINUTE: '1' },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await getJson(`${berth.url}/api/me`);
        expect(reply.status).toBe(200);
        expect(reply.headers.get('x-ratelimit-limit')).toBeNull();
      }
    } finally {
      await berth.close();
    }
  });
});

describe.skipIf(redisSkip)(
  `rate limits across processes${redisSkip ? ` — skipped: ${redisSkip}` : ''}`,
  () => {
    it('counts together on two instances sharing a Redis prefix', async () => {
      const prefix = uniquePrefix('shared');
      const env = {
        REDIS_URL,
        BERTH_REDIS_PREFIX: prefix,
        BERTH_API_KEYS: 'shared-key',
        BERTH_RATE_LIMIT_PER_MINUTE: '3',
      };
      const a = await startBerth({ env });
      const b = await startBerth({ env });
      try {
        expect((await me(a, 'shared-key')).headers.get('x-ratelimit-remaining')).toBe('2');
        expect((await me(b, 'shared-key')).headers.get('x-ratelimit-remaining')).toBe('1');
        expect((await me(a, 'shared-key')).status).toBe(200);
        const refused = await me(b, 'shared-key');
        expect(refused.status).toBe(429);
        expect(refused.body.error.code).toBe('rate_limited');
      } finally {
        await Promise.all([a.close(), b.close()]);
        await deleteRedisKeys(REDIS_URL, prefix);
      }
    });
  },
);

describe.skipIf(redisServerSkip)(
  `rate limits while Redis is down${redisServerSkip ? ` — skipped: ${redisServerSkip}` : ''}`,
  () => {
    it('let requests pass uncounted, say so once, and count again once Redis is back', async () => {
      const redis = await startPrivateRedis();
      const berth = await startBerth({
        env: { REDIS_URL: redis.url, BERTH_API_KEYS: 'k', BERTH_RATE_LIMIT_PER_MINUTE: '2' },
      });
      const warnings = () =>
        berth.logs.filter((l) => String(l.msg).startsWith('rate limits are not enforced')).length;
      try {
        expect((await me(berth, 'k')).headers.get('x-ratelimit-remaining')).toBe('1');
        await redis.stop();
        for (let i = 0; i < 4; i++) {
          const reply = await me(berth, 'k');
          expect(reply.status).toBe(200);
          expect(reply.headers.get('x-ratelimit-limit')).toBeNull();
        }
        expect(warnings()).toBe(1);

        await redis.start();
        // The private Redis comes back empty, so the window starts again.
        await expect
          .poll(async () => (await me(berth, 'k')).headers.get('x-ratelimit-remaining'), { timeout: 10_000 })
          .not.toBeNull();
        expect(berth.logs.some((l) => String(l.msg).startsWith('rate limits are enforced again'))).toBe(true);
        expect(warnings()).toBe(1);
        expect(await statuses(berth, 'k', 2)).toEqual([200, 429]);
      } finally {
        await berth.close();
        await redis.stop();
      }
    }, 30_000);
  },
);
