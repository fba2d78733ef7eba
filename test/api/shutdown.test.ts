import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { getJson, postJson, readSse } from '../support/http.js';

describe('graceful shutdown and readiness', () => {
  let berth: BerthInstance;
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const configPath = join(tempDir('berth-config-'), 'berth.yaml');
    writeFileSync(
      configPath,
      `llm:\n  openaiCompatible: { baseUrl: "${fake.url}" }\nagents:\n  - name: slow\n    provider: openai-compatible\n    model: fake\n`,
    );
    berth = await startBerth({ env: { BERTH_CONFIG: configPath } });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('finishes in-flight requests and streams, refuses new work, then closes', async () => {
    fake.enqueue(
      fakeReply.slow(600, fakeReply.ok('plain answer')),
      fakeReply.slow(600, fakeReply.ok('streamed answer')),
    );
    const plain = postJson<{ response: string }>(`${berth.url}/api/chat`, { message: 'hi', agent: 'slow' });
    const streamed = fetch(`${berth.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'hi', agent: 'slow' }),
    });
    while (fake.chatRequests().length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const closing = berth.app.close(5_000);
    const ready = await getJson(`${berth.url}/readyz`).catch(() => ({ status: 0 }));
    expect([0, 503]).toContain(ready.status);
    expect((await plain).body.response).toBe('plain answer');
    const events = await readSse(await streamed);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { response: 'streamed answer' } });
    await closing;
    await expect(fetch(`${berth.url}/healthz`)).rejects.toThrow();
  });
});

describe('readiness names the failed check', () => {
  it('answers 503 with the store check failing once the store is gone', async () => {
    const berth = await startBerth();
    try {
      await berth.app.store.close();
      const ready = await getJson<{
        status: string;
        checks: Array<{ name: string; ok: boolean; error?: string }>;
      }>(`${berth.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('not_ready');
      expect(ready.body.checks.find((c) => c.name === 'store')).toMatchObject({
        ok: false,
        error: expect.any(String),
      });
    } finally {
      await berth.app.http.close();
    }
  });
});
