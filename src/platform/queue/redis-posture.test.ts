import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type PrivateRedis,
  redisServerSkipReason,
  startPrivateRedis,
} from '../../../test/support/services.js';
import { checkRedisPosture } from './redis-posture.js';

const noServer = redisServerSkipReason();

describe.skipIf(noServer)(`checkRedisPosture${noServer ? ` — skipped: ${noServer}` : ''}`, () => {
  let server: PrivateRedis | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('accepts a Redis with maxmemory-policy noeviction', async () => {
    server = await startPrivateRedis(['--maxmemory-policy', 'noeviction']);
    expect(await checkRedisPosture(server.url)).toEqual({ ok: true, value: undefined });
  });

  it('refuses an evicting policy, naming the setting and how to fix it', async () => {
    server = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
    const posture = await checkRedisPosture(server.url);
    expect(posture.ok).toBe(false);
    if (posture.ok) return;
    expect(posture.error).toContain(`127.0.0.1:${server.port}`);
    expect(posture.error).toContain('maxmemory-policy allkeys-lru');
    expect(posture.error).toContain('--maxmemory-policy noeviction');
    expect(posture.error).toContain('CONFIG SET maxmemory-policy noeviction');
  });

  it('reads the policy from INFO where CONFIG is disabled, as on managed Redis', async () => {
    server = await startPrivateRedis([
      '--maxmemory-policy',
      'volatile-lru',
      '--rename-command',
      'CONFIG',
      '',
    ]);
    const posture = await checkRedisPosture(server.url);
    expect(posture).toMatchObject({
      ok: false,
      error: expect.stringContaining('maxmemory-policy volatile-lru'),
    });
  });

  it('reports an unreachable Redis by host and port within its timeout', async () => {
    const started = performance.now();
    const posture = await checkRedisPosture('redis://:secret@127.0.0.1:1');
    expect(performance.now() - started).toBeLessThan(3_500);
    expect(posture).toMatchObject({
      ok: false,
      error: expect.stringContaining('127.0.0.1:1 is not reachable'),
    });
    expect(JSON.stringify(posture)).not.toContain('secret');
  });
});

describe('checkRedisPosture against a server that never answers', () => {
  it('gives up after its timeout, naming host and port', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const started = performance.now();
      const posture = await checkRedisPosture(`redis://127.0.0.1:${port}`, 500);
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(posture).toMatchObject({ ok: false, error: expect.stringContaining(`127.0.0.1:${port}`) });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
