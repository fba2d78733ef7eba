import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  type DataDirLock,
  DataDirLockedError,
  lockPath,
  readDataDirLock,
} from './data-dir-lock.js';

const moduleUrl = new URL('./data-dir-lock.ts', import.meta.url).href;

let dir: string;
const held: DataDirLock[] = [];
const children: ChildProcess[] = [];

async function acquire(warnings: string[] = []) {
  const lock = await acquireDataDirLock(dir, { command: 'test', warn: (m) => warnings.push(m) });
  held.push(lock);
  return lock;
}

/** A pid that belonged to a process which has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

function liveProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

const writeLock = (content: unknown) =>
  writeFileSync(lockPath(dir), typeof content === 'string' ? content : JSON.stringify(content));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-lock-'));
});
afterEach(async () => {
  for (const lock of held.splice(0)) lock.release();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('data dir lock', () => {
  it('is created for this process, readable only by its owner, and removed on release', async () => {
    const lock = await acquire();
    const content = JSON.parse(readFileSync(lockPath(dir), 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, command: 'test' });
    expect(Number.isNaN(Date.parse(content.started_at))).toBe(false);
    expect(content.token).toBeUndefined();
    expect(statSync(lockPath(dir)).mode & 0o777).toBe(0o600);
    lock.release();
    expect(existsSync(lockPath(dir))).toBe(false);
  });

  it('refuses a second holder while the first holds it, naming the pid', async () => {
    await acquire();
    const second = acquireDataDirLock(dir);
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(`in use by pid ${process.pid} (berth test)`);
  });

  it('refuses a lock held by another live process', async () => {
    const other = liveProcess();
    writeLock({ pid: other.pid, started_at: new Date().toISOString(), command: 'start' });
    await expect(acquire()).rejects.toThrow(`in use by pid ${other.pid} (berth start)`);
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid).toBe(other.pid);
  });

  it('takes over a lock left by a dead process, and says so', async () => {
    const pid = await deadPid();
    writeLock({ pid, started_at: '2026-01-01T00:00:00.000Z', command: 'start' });
    expect(await readDataDirLock(dir)).toBeUndefined();
    const warnings: string[] = [];
    await acquire(warnings);
    expect(warnings).toEqual([expect.stringContaining(`stale data dir lock of pid ${pid}`)]);
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid).toBe(process.pid);
  });

  it("takes over a lock naming this process's pid that this process did not take (a container's pid 1 after a restart)", async () => {
    writeLock({ pid: process.pid, started_at: '2026-01-01T00:00:00.000Z' });
    const warnings: string[] = [];
    await acquire(warnings);
    expect(warnings).toHaveLength(1);
  });

  it('refuses a lock of another host (another container on the volume) while its holder touches it', async () => {
    writeLock({ pid: 1, host: 'berth-7d9f-other', started_at: new Date().toISOString(), command: 'start' });
    const refused = acquire();
    await expect(refused).rejects.toThrow(/in use by pid 1 on host berth-7d9f-other \(berth start\)/);
    await expect(refused).rejects.toThrow(/Run the command there/);
    expect(await readDataDirLock(dir)).toMatchObject({ host: 'berth-7d9f-other' });
  });

  it('takes over a lock of another host that nobody touched for two minutes', async () => {
    writeLock({ pid: 1, host: 'berth-7d9f-other', started_at: '2026-01-01T00:00:00.000Z' });
    const minutesAgo = new Date(Date.now() - 150_000);
    utimesSync(lockPath(dir), minutesAgo, minutesAgo);
    const warnings: string[] = [];
    await acquire(warnings);
    expect(warnings).toEqual([
      expect.stringMatching(/pid 1 on host berth-7d9f-other \(not touched for 150 s\)/),
    ]);
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
  });

  it('takes over an unreadable lock', async () => {
    writeLock('');
    const warnings: string[] = [];
    await acquire(warnings);
    expect(warnings).toEqual([expect.stringContaining('unreadable')]);
  });

  it('advertises the URL and the admin token to readers', async () => {
    const lock = await acquire();
    expect(await readDataDirLock(dir)).toMatchObject({ pid: process.pid });
    lock.advertise('http://127.0.0.1:9');
    expect(await readDataDirLock(dir)).toMatchObject({ url: 'http://127.0.0.1:9', token: lock.token });
    expect(lock.token).toMatch(/^berth_local_[\w-]{40,}$/);
    expect(statSync(lockPath(dir)).mode & 0o777).toBe(0o600);
  });

  it('does not remove a lock another process took over meanwhile', async () => {
    const lock = await acquire();
    const other = liveProcess();
    writeLock({ pid: other.pid, started_at: new Date().toISOString() });
    lock.release();
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid).toBe(other.pid);
  });

  it('is removed when the process exits without releasing it', async () => {
    const script = `const { acquireDataDirLock } = await import(${JSON.stringify(moduleUrl)});
      await acquireDataDirLock(${JSON.stringify(dir)});
      process.exit(3);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect({ code, stderr }).toEqual({ code: 3, stderr: '' });
    expect(existsSync(lockPath(dir))).toBe(false);
  });
});
