import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';

describe('API keys over HTTP', () => {
  let berth: BerthInstance;
  beforeAll(async () => {
    berth = await startBerth({ env: { BERTH_API_KEYS: 'key-one,key-two' } });
  });
  afterAll(() => berth?.close());

  it('needs a key on /api and /v1 routes', async () => {
    for (const path of ['/api/chat/history/x', '/v1/models', '/api/agents', '/api/me']) {
      const reply = await getJson<ErrorBody>(`${berth.url}${path}`);
      expect(reply.status, path).toBe(401);
      expect(reply.body.error.code).toBe('unauthorized');
      expect(reply.body.error.message).toMatch(/Authorization: Bearer/);
    }
    const wrong = await postJson<ErrorBody>(
      `${berth.url}/api/chat`,
      { message: 'hi' },
      { authorization: 'Bearer nope' },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/Invalid or revoked/);
    const malformed = await getJson(`${berth.url}/v1/models`, { authorization: 'key-one' });
    expect(malformed.status).toBe(401);
  });

  it('accepts any configured key', async () => {
    for (const key of ['key-one', 'key-two']) {
      expect(
        (await postJson(`${berth.url}/api/chat`, { message: 'hi' }, { authorization: `Bearer ${key}` }))
          .status,
      ).toBe(200);
    }
  });

  it('leaves health, readiness and metrics open', async () => {
    for (const path of ['/healthz', '/readyz', '/startupz', '/metrics']) {
      expect((await fetch(`${berth.url}${path}`)).status, path).toBe(200);
    }
  });

  it('never logs the key', () => {
    expect(JSON.stringify(berth.logs)).not.toContain('key-one');
  });
});

describe('BERTH_AUTH=off', () => {
  it('serves without a key even when keys exist, and may listen beyond loopback', async () => {
    const berth = await startBerth({ env: { BERTH_API_KEYS: 'k', BERTH_AUTH: 'off', HOST: '0.0.0.0' } });
    try {
      expect((await postJson(`${berth.url}/api/chat`, { message: 'hi' })).status).toBe(200);
    } finally {
      await berth.close();
    }
  });
});

describe('protected mode', () => {
  it('refuses a non-loopback HOST without a key, and allows it with one', async () => {
    await expect(startBerth({ env: { HOST: '0.0.0.0' } })).rejects.toThrow(
      /Refusing to listen on 0\.0\.0\.0/,
    );
    const keyed = await startBerth({ env: { HOST: '0.0.0.0', BERTH_API_KEYS: 'k' } });
    await keyed.close();
  });
});
