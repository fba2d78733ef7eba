import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What `<dataDir>/berth.lock` says about the process that has the embedded store open. */
export interface LockHolder {
  pid: number;
  started_at: string;
  /** The holder's host name: in a container, the container's; its pid means nothing elsewhere. */
  host?: string;
  /** What the holder runs (`start`, `migrate`, `keys list`…), for messages. */
  command?: string;
  /** Where the holder's admin API listens, once it does (loopback). */
  url?: string;
  /** The holder's local admin token: a bearer token with every right, for the CLI. */
  token?: string;
}

export interface DataDirLock {
  readonly path: string;
  /** The admin token written with `advertise`; generated when the lock is taken. */
  readonly token: string;
  /** Records where the server listens (with the token) so the CLI can go through it. */
  advertise(url: string): void;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
}

/** The data dir is open in another live process (or still open in this one). */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {
    const what = holder.command ? ` (berth ${holder.command})` : '';
    const where = isForeign(holder) ? ` on host ${holder.host}` : '';
    const hint = where
      ? 'Run the command there (docker exec, kubectl exec) or stop it; if it is gone, the lock is taken over 2 minutes after its last heartbeat.'
      : `If pid ${holder.pid} is not Berth, delete the lock file.`;
    super(
      `the data dir is in use by pid ${holder.pid}${where}${what} since ${holder.started_at} (lock ${path}). ${hint}`,
    );
  }
}

export interface AcquireLockOptions {
  /** What this process runs, written in the lock for others' messages. */
  command?: string;
  /** Where a taken-over stale lock is reported; default stderr. */
  warn?: (message: string) => void;
}

export const lockPath = (dataDir: string) => join(dataDir, 'berth.lock');

/** Whether the holder runs on another host (another container on the same volume): its pid cannot be checked here. */
export const isForeign = (holder: LockHolder) => holder.host !== undefined && holder.host !== hostname();

// A holder touches its lock this often; one from another host untouched for FOREIGN_STALE_MS is stale
// (a pod that died with its node). Long, because PGlite's queries block the holder's event loop.
const HEARTBEAT_MS = 10_000;
const FOREIGN_STALE_MS = 120_000;

// Paths this process holds: in a container Berth is often pid 1 again after a restart, so a lock
// naming our own pid is stale unless this very process took it.
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, started_at } = value as Record<string, unknown>;
    if (!Number.isInteger(pid) || typeof started_at !== 'string') return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

type Read =
  | { state: 'absent' }
  | { state: 'invalid' }
  | { state: 'present'; holder: LockHolder; touchedAt: number };

function readLockFile(path: string): Read {
  let text: string;
  let touchedAt: number;
  try {
    text = readFileSync(path, 'utf8');
    touchedAt = statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  const holder = parseHolder(text);
  return holder ? { state: 'present', holder, touchedAt } : { state: 'invalid' };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the lock; a file still being written (created, not yet filled) gets a moment. */
async function readSettled(path: string): Promise<Read> {
  let read = readLockFile(path);
  for (let attempt = 0; read.state === 'invalid' && attempt < 10; attempt++) {
    await sleep(20);
    read = readLockFile(path);
  }
  return read;
}

function isStale(path: string, read: { holder: LockHolder; touchedAt: number }): boolean {
  const { holder } = read;
  if (isForeign(holder)) return Date.now() - read.touchedAt > FOREIGN_STALE_MS;
  return holder.pid === process.pid ? !heldHere.has(path) : !isAlive(holder.pid);
}

/**
 * The live holder of the data dir's lock, or undefined when nobody (or only a dead process)
 * holds it. For the CLI, to choose between opening the store and asking the running server.
 */
export async function readDataDirLock(dataDir: string): Promise<LockHolder | undefined> {
  const path = lockPath(dataDir);
  const read = await readSettled(path);
  if (read.state !== 'present' || isStale(path, read)) return undefined;
  return read.holder;
}

/**
 * Moves a stale lock aside, unless another process replaced it meanwhile (then puts that one back).
 * Renaming is atomic, so two processes taking over the same stale lock cannot both remove it.
 */
function removeStale(path: string, stale: LockHolder | undefined) {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readLockFile(aside);
  const same =
    moved.state === 'present'
      ? stale !== undefined && moved.holder.pid === stale.pid && moved.holder.started_at === stale.started_at
      : stale === undefined;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process locked it in between; it wins, and the one we moved learns at release.
    }
  }
  unlinkSync(aside);
}

function writeLock(path: string, holder: LockHolder, flag: 'wx' | 'replace') {
  const text = `${JSON.stringify(holder)}\n`;
  if (flag === 'wx') {
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
    return;
  }
  // Readers never see a half-written file: the new content replaces the old in one rename.
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
}

/**
 * Takes `<dataDir>/berth.lock` (created exclusively, mode 0600) for this process; a lock left by
 * a dead process is taken over, a live one refused with DataDirLockedError. PGlite itself does
 * not notice a second process: without this lock, two processes silently diverge.
 */
export async function acquireDataDirLock(
  dataDir: string,
  options: AcquireLockOptions = {},
): Promise<DataDirLock> {
  const path = lockPath(dataDir);
  const warn = options.warn ?? ((message: string) => process.stderr.write(`berth: ${message}\n`));
  const holder: LockHolder = {
    pid: process.pid,
    started_at: new Date().toISOString(),
    host: hostname(),
    ...(options.command ? { command: options.command } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      writeLock(path, holder, 'wx');
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Only other processes taking over the same stale lock at once get here more than twice.
      if (attempt >= 5) throw new Error(`could not take the data dir lock ${path}: others keep taking it`);
    }
    const read = await readSettled(path);
    if (read.state === 'absent') continue;
    if (read.state === 'present' && !isStale(path, read)) {
      throw new DataDirLockedError(path, read.holder);
    }
    warn(
      read.state !== 'present'
        ? `taking over an unreadable data dir lock: ${path}`
        : isForeign(read.holder)
          ? `taking over the stale data dir lock of pid ${read.holder.pid} on host ${read.holder.host} (not touched for ${Math.round((Date.now() - read.touchedAt) / 1000)} s): ${path}`
          : `taking over the stale data dir lock of pid ${read.holder.pid} (not running any more): ${path}`,
    );
    removeStale(path, read.state === 'present' ? read.holder : undefined);
  }
  heldHere.add(path);
  return createHeldLock(path, holder);
}

function createHeldLock(path: string, holder: LockHolder): DataDirLock {
  const token = `berth_local_${randomBytes(32).toString('base64url')}`;
  let released = false;
  const ours = () => {
    const read = readLockFile(path);
    return (
      read.state === 'present' &&
      read.holder.pid === holder.pid &&
      read.holder.host === holder.host &&
      read.holder.started_at === holder.started_at
    );
  };
  // Tells processes on other hosts (which cannot check our pid) that the holder is alive.
  const heartbeat = setInterval(() => {
    try {
      if (ours()) utimesSync(path, new Date(), new Date());
    } catch {
      // A lock we cannot touch ages; the next acquire sees that, release still checks ownership.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release);
    heldHere.delete(path);
    if (ours()) unlinkSync(path);
  };
  // A process that exits without closing its store (process.exit on a fatal error) leaves no lock.
  process.on('exit', release);
  return {
    path,
    token,
    advertise(url) {
      if (released || !ours()) return;
      writeLock(path, { ...holder, url, token }, 'replace');
    },
    release,
  };
}
