// `promtool check metrics` (Debian's prometheus package) on the /metrics of every role, after real
// traffic so that labelled series exist: the exposition a Prometheus scrape or an alert rule relies on.
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { type App, createApp, type Role } from '../../src/app.js';
import { createLogger } from '../../src/platform/telemetry/index.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import { postJson } from '../support/http.js';
import {
  createTestDatabase,
  deleteRedisKeys,
  postgresSkipReason,
  REDIS_URL,
  redisSkipReason,
  SERVICES_REQUIRED,
} from '../support/services.js';
import { createTask, waitForTask } from '../support/tasks.js';

function promtoolSkipReason(): string | undefined {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  if (!found.error) return undefined;
  const reason = 'promtool is not installed (Debian: apt-get install prometheus)';
  if (SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

/** promtool's verdict on an exposition: its exit code and whatever it complained about. */
function promtoolCheck(exposition: string) {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { code: result.status, problems: `${result.stdout}${result.stderr}`.trim() };
}

async function metricsOf(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

const promtoolSkip = promtoolSkipReason();
const silent = () => createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));

describe.skipIf(promtoolSkip)(
  `promtool check metrics${promtoolSkip ? ` — skipped: ${promtoolSkip}` : ''}`,
  () => {
    let site: FixtureSite;
    beforeAll(async () => {
      site = await startFixtureSite();
      site.route('/a', {
        body: articlePage('Harbours', ['Ships sail into harbours.', 'Harbours shelter ships.']),
      });
    });
    afterAll(() => site?.close());

    it('passes on an embedded Berth (berth start) after a chat and a task', async () => {
      const berth: BerthInstance = await startBerth({ env: { BERTH_FETCH_ALLOW: site.host } });
      try {
        expect((await postJson(`${berth.url}/api/chat`, { message: 'hello' })).status).toBe(200);
        const task = await createTask(berth.url, { description: `Summarize ${site.url}/a` });
        expect((await waitForTask(berth.url, task.body.task_id)).status).toBe('completed');
        const exposition = await metricsOf(berth.url);
        expect(exposition).toMatch(/^berth_http_request_duration_seconds_bucket\{/m);
        expect(exposition).toMatch(/^nodejs_active_handles\{/m);
        expect(exposition).not.toMatch(/^nodejs_active_\w+_total/m);
        expect(promtoolCheck(exposition)).toEqual({ code: 0, problems: '' });
      } finally {
        await berth.close();
      }
    });

    it('tells a misnamed metric apart (the check can fail)', () => {
      const bad = '# HELP things_total a gauge\n# TYPE things_total gauge\nthings_total 1\n';
      expect(promtoolCheck(bad).code).not.toBe(0);
    });

    describe('the api and worker roles on Postgres and Redis', async () => {
      const skip = (await postgresSkipReason()) ?? (await redisSkipReason());
      it.skipIf(skip)(
        `passes on both after a task ran across them${skip ? ` — skipped: ${skip}` : ''}`,
        async () => {
          const database = await createTestDatabase();
          const prefix = `berth-promtool-${process.pid}-${Date.now()}`;
          const loaded = loadConfig({
            env: {
              DATABASE_URL: database.url,
              REDIS_URL,
              BERTH_REDIS_PREFIX: prefix,
              BERTH_FETCH_ALLOW: site.host,
              LOG_LEVEL: 'silent',
            },
            cwd: tmpdir(),
          });
          if (!loaded.ok) throw loaded.error;
          const apps: App[] = [];
          const start = async (role: Role) => {
            const app = await createApp(loaded.value, { logger: silent(), role });
            apps.push(app);
            const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
            app.markStarted();
            return url;
          };
          try {
            const api = await start('api');
            const worker = await start('worker');
            const task = await createTask(api, { description: `Summarize ${site.url}/a` });
            expect((await waitForTask(api, task.body.task_id)).status).toBe('completed');
            for (const [role, url] of [
              ['api', api],
              ['worker', worker],
            ] as const) {
              const exposition = await metricsOf(url);
              expect(exposition, role).toMatch(/^process_cpu_seconds_total /m);
              expect({ role, ...promtoolCheck(exposition) }).toEqual({ role, code: 0, problems: '' });
            }
          } finally {
            for (const app of apps.reverse()) await app.close(2_000);
            await database.drop();
            await deleteRedisKeys(REDIS_URL, prefix);
          }
        },
      );
    });
  },
);
