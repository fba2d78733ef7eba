import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/berth-instance.js';
import { startBerthProcess, stopProcess } from '../support/cli.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import { getJson } from '../support/http.js';
import { createTask, type TaskView, waitForTask } from '../support/tasks.js';

const TASKS = 6;
const PAGES_PER_TASK = 2;

describe('a process killed mid-task (SIGKILL)', () => {
  let site: FixtureSite;
  let dataDir: string;
  beforeAll(async () => {
    site = await startFixtureSite();
    for (let t = 0; t < TASKS; t++) {
      for (let p = 0; p < PAGES_PER_TASK; p++) {
        // Slow pages keep steps running when the kill comes.
        site.route(`/t${t}p${p}`, {
          body: articlePage(`Page ${t}-${p}`, [`Task ${t} page ${p} talks about boats.`]),
          delayMs: 300 + 200 * p,
        });
      }
    }
    dataDir = tempDir();
  });
  afterAll(async () => {
    await site?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes every task after a restart, without running a completed step again', async () => {
    const env = { BERTH_DATA_DIR: dataDir, BERTH_FETCH_ALLOW: site.host, BERTH_WORKER_CONCURRENCY: '3' };
    const first = await startBerthProcess(env);
    const ids: string[] = [];
    for (let t = 0; t < TASKS; t++) {
      const urls = Array.from({ length: PAGES_PER_TASK }, (_, p) => `${site.url}/t${t}p${p}`).join(' and ');
      ids.push((await createTask(first.url, { description: `Summarize ${urls}` })).body.task_id);
    }
    // Kill once some fetches have completed and others are still running.
    await waitForTask(first.url, ids[0] as string, {
      until: (t) => t.steps.some((s) => s.tool === 'fetch_url' && s.status === 'completed'),
    });
    const before = await Promise.all(ids.map((id) => getJson<TaskView>(`${first.url}/api/tasks/${id}`)));
    const completedUrls = new Set(
      before.flatMap(({ body }) =>
        body.steps
          .filter((s) => s.tool === 'fetch_url' && s.status === 'completed')
          .map((s) => new URL((s.output as { url: string }).url).pathname),
      ),
    );
    const runningAtKill = before.flatMap(({ body }) => body.steps.filter((s) => s.status === 'running'));
    expect(await stopProcess(first.child, 'SIGKILL')).toBeNull();
    expect(completedUrls.size).toBeGreaterThan(0);
    expect(runningAtKill.length + completedUrls.size).toBeLessThan(TASKS * PAGES_PER_TASK * 3);

    const second = await startBerthProcess(env);
    try {
      const finished = await Promise.all(ids.map((id) => waitForTask(second.url, id, { timeoutMs: 30_000 })));
      for (const task of finished) {
        expect(task.status).toBe('completed');
        expect(task.result).toMatch(/boats/);
      }
      for (const path of completedUrls)
        expect(site.hits.get(path), `${path} ran again after completing`).toBe(1);
      for (let t = 0; t < TASKS; t++) {
        for (let p = 0; p < PAGES_PER_TASK; p++) {
          // At least once: a fetch that was running at the kill may run again, never more.
          expect(site.hits.get(`/t${t}p${p}`)).toBeGreaterThanOrEqual(1);
          expect(site.hits.get(`/t${t}p${p}`)).toBeLessThanOrEqual(2);
        }
      }
    } finally {
      expect(await stopProcess(second.child)).toBe(0);
    }
  }, 90_000);
});
