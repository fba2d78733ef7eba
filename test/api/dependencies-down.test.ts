import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { getJson } from '../support/http.js';
import { redisServerSkipReason, startPrivateRedis } from '../support/services.js';

interface Status {
  ready: { status: string; checks: Array<{ name: string; ok: boolean; error?: string }> };
  queue: { waiting: number } | null;
  queue_error?: string;
}

async function metrics(berth: BerthInstance): Promise<{ status: number; lines: string[] }> {
  const response = await fetch(`${berth.url}/metrics`);
  return { status: response.status, lines: (await response.text()).split('\n') };
}

/** The value of one sample (`name{labels} value`), or undefined when the scrape left it out. */
const sample = (lines: string[], series: string): number | undefined => {
  const line = lines.find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};
const depthLines = (lines: string[]) =>
  lines.filter((l) => /^berth_queue_(depth|oldest_wait_seconds)\{/.test(l));

const redisServerSkip = redisServerSkipReason();

describe.skipIf(redisServerSkip)(
  `/metrics, /api/status and /readyz while Redis is down${redisServerSkip ? ` — skipped: ${redisServerSkip}` : ''}`,
  () => {
    it('answer, report the queue unavailable, and read it again once Redis is back', async () => {
      const redis = await startPrivateRedis();
      const berth = await startBerth({
        env: { REDIS_URL: redis.url, BERTH_REDIS_PREFIX: `edges-${process.pid}` },
      });
      try {
        const up = await metrics(berth);
        expect(up.status).toBe(200);
        expect(sample(up.lines, 'berth_queue_up{queue="step.run"}')).toBe(1);
        expect(sample(up.lines, 'berth_queue_depth{queue="step.run",state="waiting"}')).toBe(0);
        expect(sample(up.lines, 'berth_queue_depth_read_errors_total{queue="step.run"}')).toBe(0);

        await redis.stop();
        // One scrape's read serves its three gauges for 100 ms; let the last good one expire.
        await new Promise((resolve) => setTimeout(resolve, 150));
        const down = await metrics(berth);
        expect(down.status).toBe(200);
        expect(sample(down.lines, 'berth_queue_up{queue="step.run"}')).toBe(0);
        expect(sample(down.lines, 'berth_queue_depth_read_errors_total{queue="step.run"}')).toBe(1);
        // No stale depth: the scrape leaves the depth out rather than repeat the last number read.
        expect(depthLines(down.lines)).toEqual([]);
        // Everything else is still there.
        expect(down.lines.some((l) => l.startsWith('berth_http_request_duration_seconds_count{'))).toBe(true);

        const status = await getJson<Status>(`${berth.url}/api/status`);
        expect(status.status).toBe(200);
        expect(status.body.queue).toBeNull();
        expect(status.body.queue_error).toEqual(expect.any(String));
        expect(status.body.ready.status).toBe('not_ready');
        expect(status.body.ready.checks.find((c) => c.name === 'redis')).toMatchObject({ ok: false });

        const started = Date.now();
        const ready = await getJson<Status['ready']>(`${berth.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(ready.body.checks.find((c) => c.name === 'redis')).toMatchObject({ ok: false });
        expect(Date.now() - started).toBeLessThan(5_000);

        await redis.start();
        await expect
          .poll(async () => sample((await metrics(berth)).lines, 'berth_queue_up{queue="step.run"}'), {
            timeout: 15_000,
            interval: 250,
          })
          .toBe(1);
        expect(depthLines((await metrics(berth)).lines)).not.toEqual([]);
        const back = await getJson<Status>(`${berth.url}/api/status`);
        expect(back.body.queue).toMatchObject({ waiting: 0 });
        expect(back.body.queue_error).toBeUndefined();
      } finally {
        await berth.close();
        await redis.stop();
      }
    });
  },
);

describe('/metrics and /api/status while the store is down', () => {
  it('answer 200 and name the store as the failed check', async () => {
    const dataDir = tempDir();
    const berth = await startBerth({ dataDir });
    try {
      await berth.app.store.close();
      const scrape = await metrics(berth);
      expect(scrape.status).toBe(200);
      expect(sample(scrape.lines, 'berth_queue_up{queue="step.run"}')).toBe(1);
      const status = await getJson<Status>(`${berth.url}/api/status`);
      expect(status.status).toBe(200);
      expect(status.body.ready.status).toBe('not_ready');
      expect(status.body.ready.checks.find((c) => c.name === 'store')).toMatchObject({ ok: false });
      expect(status.body.queue).toMatchObject({ waiting: 0 });
    } finally {
      await berth.app.http.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
