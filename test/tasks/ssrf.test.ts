import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import { createTask, waitForTask } from '../support/tasks.js';

/** A TCP listener that counts every connection it receives: the thing an SSRF would reach. */
async function countingListener(host: string) {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('tasks cannot reach internal addresses (SSRF)', () => {
  let berth: BerthInstance;
  let site: FixtureSite;
  let v4: Awaited<ReturnType<typeof countingListener>>;
  let v6: Awaited<ReturnType<typeof countingListener>>;

  beforeAll(async () => {
    v4 = await countingListener('127.0.0.1');
    v6 = await countingListener('::1');
    site = await startFixtureSite();
    site.route('/to-internal', { redirect: `http://127.0.0.1:${v4.port}/secret` });
    site.route('/to-metadata', { redirect: 'http://169.254.169.254/latest/meta-data/' });
    // Only the fixture site is allowed, so redirects out of it are checked like any other URL.
    berth = await startBerth({ env: { BERTH_FETCH_ALLOW: site.host, BERTH_STEP_MAX_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await berth?.close();
    await site?.close();
    await v4?.close();
    await v6?.close();
  });

  const targets = () => {
    const p = v4.port;
    return [
      `http://127.0.0.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://0x7f.0.0.1:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://127.1:${p}/`,
      `http://127.0.1:${p}/`,
      `http://localhost:${p}/`,
      `http://localhost.:${p}/`,
      `http://LOCALHOST:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      `http://[::127.0.0.1]:${p}/`,
      `http://[64:ff9b::7f00:1]:${p}/`,
      `http://[::1]:${v6.port}/`,
      `http://0.0.0.0:${p}/`,
      `http://0:${p}/`,
      `${site.url}/to-internal`,
      `${site.url}/to-metadata`,
    ];
  };

  it('refuses every notation of loopback, and redirects out of an allowed host, with ssrf_blocked', async () => {
    const list = targets();
    const accepted = await Promise.all(
      list.map((url) => createTask(berth.url, { description: `Summarize ${url}` })),
    );
    const finished = await Promise.all(accepted.map((a) => waitForTask(berth.url, a.body.task_id)));
    finished.forEach((task, i) => {
      expect(task.status, list[i]).toBe('failed');
      expect(task.error?.code, `${list[i]}: ${task.error?.message}`).toBe('ssrf_blocked');
    });
    expect(v4.connections()).toBe(0);
    expect(v6.connections()).toBe(0);
    expect(site.hits.get('/to-internal')).toBe(1);
  });

  it('does not turn non-http schemes into fetches', async () => {
    const accepted = await createTask(berth.url, {
      description: `Summarize file:///etc/passwd and gopher://127.0.0.1:${v4.port}/`,
    });
    const task = await waitForTask(berth.url, accepted.body.task_id);
    expect(task.steps.map((s) => s.tool)).toEqual(['answer']);
    expect(v4.connections()).toBe(0);
  });
});
