import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBerth, startBerthProcess, stopProcess } from '../support/cli.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import { getJson, readSse } from '../support/http.js';
import {
  createTestDatabase,
  deleteRedisKeys,
  postgresSkipReason,
  REDIS_URL,
  redisSkipReason,
} from '../support/services.js';
import { createTask, type TaskView, waitForTask } from '../support/tasks.js';

const skip = (await postgresSkipReason()) ?? (await redisSkipReason());

describe.skipIf(skip)(
  `berth api and berth worker as separate processes${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    let site: FixtureSite;
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let env: Record<string, string>;
    const processes: Array<Awaited<ReturnType<typeof startBerthProcess>>> = [];

    beforeAll(async () => {
      site = await startFixtureSite();
      for (let i = 0; i < 8; i++)
        site.route(`/p${i}`, {
          body: articlePage(`Page ${i}`, [`Page ${i} is about ships and harbours.`]),
          delayMs: 200,
        });
      database = await createTestDatabase();
      env = {
        DATABASE_URL: database.url,
        REDIS_URL,
        BERTH_REDIS_PREFIX: `berth-test-${process.pid}-${Date.now()}`,
        BERTH_FETCH_ALLOW: site.host,
        WORKER_PORT: '0',
        BERTH_WORKER_CONCURRENCY: '2',
      };
    });
    afterAll(async () => {
      for (const p of processes) await stopProcess(p.child, 'SIGKILL');
      await site?.close();
      await database?.drop();
      if (env) await deleteRedisKeys(REDIS_URL, env.BERTH_REDIS_PREFIX as string);
    });

    it('refuses to run a role without Postgres and Redis, saying what to set', async () => {
      const result = await runBerth(['worker'], { BERTH_DATA_DIR: '/tmp/unused' });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/berth worker needs DATABASE_URL and REDIS_URL/);
      expect(result.stderr).toMatch(/berth start/);
    });

    it('runs tasks on worker processes and streams their progress from the api process', async () => {
      const api = await startBerthProcess({ ...env, PORT: '0' }, ['api']);
      processes.push(api);
      const workers = [await startBerthProcess(env, ['worker']), await startBerthProcess(env, ['worker'])];
      processes.push(...workers);
      for (const worker of workers) {
        const ready = await getJson<{ status: string; checks: Array<{ name: string }> }>(
          `${worker.url}/readyz`,
        );
        expect(ready.status).toBe(200);
        expect(ready.body.checks.map((c) => c.name)).toEqual(['store', 'migrations', 'redis', 'progress']);
        expect((await fetch(`${worker.url}/api/tasks`)).status).toBe(404);
      }
      const accepted = await createTask(api.url, {
        description: `Summarize ${site.url}/p0 and ${site.url}/p1`,
      });
      const events = await readSse(await fetch(`${api.url}/api/tasks/${accepted.body.task_id}/events`));
      expect(events[0]?.event).toBe('snapshot');
      expect(events.filter((e) => e.event === 'step.completed').length).toBeGreaterThanOrEqual(1);
      expect(events.at(-1)).toMatchObject({ event: 'task.finished', data: { status: 'completed' } });
      const task = await waitForTask(api.url, accepted.body.task_id);
      expect(task.result).toMatch(/ships/);
    });

    it('recovers the steps of a worker killed mid-step, and a SIGTERM-ed worker exits 0', async () => {
      const api = processes[0] as (typeof processes)[number];
      const ids: string[] = [];
      for (let i = 2; i < 8; i += 2)
        ids.push(
          (
            await createTask(api.url, {
              description: `Summarize ${site.url}/p${i} and ${site.url}/p${i + 1}`,
            })
          ).body.task_id,
        );
      const victim = processes[1] as (typeof processes)[number];
      await new Promise((resolve) => setTimeout(resolve, 150));
      await stopProcess(victim.child, 'SIGKILL');
      const started = Date.now();
      const finished: TaskView[] = await Promise.all(
        ids.map((id) => waitForTask(api.url, id, { timeoutMs: 40_000 })),
      );
      expect(finished.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
      expect(Date.now() - started).toBeLessThan(30_000);
      for (let i = 2; i < 8; i++) expect(site.hits.get(`/p${i}`)).toBeLessThanOrEqual(2);
      const survivor = processes[2] as (typeof processes)[number];
      expect(await stopProcess(survivor.child, 'SIGTERM')).toBe(0);
    });
  },
);
