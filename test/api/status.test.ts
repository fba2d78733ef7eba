import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { getJson } from '../support/http.js';

describe('GET /api/status', () => {
  let berth: BerthInstance;
  beforeAll(async () => {
    berth = await startBerth({ env: { BERTH_API_KEYS: 'status-key' } });
  });
  afterAll(() => berth?.close());

  it('reports readiness, queue, agents and the offline model', async () => {
    const reply = await getJson(`${berth.url}/api/status`, { authorization: 'Bearer status-key' });
    expect(reply.status).toBe(200);
    const agents = await getJson<{ agents: Array<{ name: string; version: string }> }>(
      `${berth.url}/api/agents`,
      {
        authorization: 'Bearer status-key',
      },
    );
    expect(reply.body).toEqual({
      version: expect.any(String),
      store: { kind: 'pglite' },
      ready: {
        status: 'ready',
        checks: [
          { name: 'store', ok: true },
          { name: 'migrations', ok: true },
          { name: 'progress', ok: true },
        ],
      },
      queue: { waiting: 0, active: 0, delayed: 0, failed: 0, oldest_wait_ms: null },
      agents: [
        {
          name: 'default',
          description: expect.any(String),
          provider: 'offline',
          model: expect.any(String),
          version: agents.body.agents[0]?.version,
        },
      ],
      offline_model: true,
      llm: { provider: 'offline', model: null, breakers: expect.any(Array) },
      mcp: [],
    });
  });

  it('needs a key like every /api route', async () => {
    expect((await getJson(`${berth.url}/api/status`)).status).toBe(401);
  });
});
