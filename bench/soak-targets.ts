// The Berth processes a soak runs against: `berth start` on a PGlite data dir, or `berth api` + `berth worker`
// on a fresh Postgres database and a Redis prefix of its own. Every child is registered so that an exit,
// a signal or a failure kills it; the database and the Redis keys are removed on the way out.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { deleteRedisKeys, freePort } from '../test/support/services.js';
import { ROOT } from './processes.js';

const children = new Set<ChildProcess>();
/** What a target must still remove (its database, Redis keys, data dir), for a signal that arrives mid-run. */
const pending = new Set<() => Promise<void>>();

/** Stops every target still up and removes what it created; for a signal or a failure. */
export async function closeAll(): Promise<void> {
  await Promise.allSettled([...pending].map((close) => close()));
}

/** SIGKILLs every child still running; synchronous, so it also works from an 'exit' handler. */
export function killChildren(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface BerthProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Where its /metrics is served. */
  url: string;
  logFile: string;
}

export interface Target {
  mode: 'embedded' | 'distributed';
  /** Where the API is (the embedded process, or the api role). */
  apiUrl: string;
  processes: BerthProcess[];
  /** Stops the processes (SIGTERM, then SIGKILL after 15 s) and removes what the target created. */
  close(): Promise<void>;
}

export interface TargetOptions {
  /** Run dist/main.js (the default; `npm run build` makes it) or src/main.ts through tsx. */
  from: 'dist' | 'source';
  fetchAllow: string;
  runDir: string;
  /** Extra Node options for every Berth process (default none). */
  nodeArgs?: string[];
}

const NODE = existsSync(join(ROOT, 'node_modules/node/bin/node'))
  ? join(ROOT, 'node_modules/node/bin/node')
  : process.execPath;

function entry(from: TargetOptions['from']): string[] {
  if (from === 'source') return ['--import', 'tsx', join(ROOT, 'src/main.ts')];
  const dist = join(ROOT, 'dist/main.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run npm run build (or pass --from source)`);
  return [join(ROOT, 'bin/berth.js')];
}

async function waitHealthy(process: BerthProcess, deadline: number): Promise<void> {
  for (;;) {
    if (process.child.exitCode !== null || process.child.signalCode !== null)
      throw new Error(
        `${process.name} exited (${process.child.exitCode ?? process.child.signalCode}):\n${tail(process.logFile)}`,
      );
    const ok = await fetch(`${process.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${process.name} not healthy in time:\n${tail(process.logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The last lines of a process's log, for an error message. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function startBerth(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: TargetOptions,
): Promise<BerthProcess> {
  const port = await freePort();
  const portVariable = args[0] === 'worker' ? 'WORKER_PORT' : 'PORT';
  const logFile = join(options.runDir, `${name}.log`);
  const log = openSync(logFile, 'a');
  // Only PATH and HOME from the soak's environment: nothing else Berth reads may leak in.
  const child = spawn(NODE, [...(options.nodeArgs ?? []), ...entry(options.from), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      BERTH_FETCH_ALLOW: options.fetchAllow,
      ...env,
      [portVariable]: String(port),
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const started: BerthProcess = {
    name,
    child,
    pid: child.pid as number,
    url: `http://127.0.0.1:${port}`,
    logFile,
  };
  try {
    await waitHealthy(started, Date.now() + 90_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return started;
}

/** `close` runs once however often it is called, and is in `pending` until it has run. */
function once(close: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const guarded = () => {
    running ??= close().finally(() => pending.delete(guarded));
    return running;
  };
  pending.add(guarded);
  return guarded;
}

async function stopAll(processes: BerthProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

export async function startEmbedded(options: TargetOptions): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-soak-data-'));
  const processes: BerthProcess[] = [];
  const close = once(async () => {
    await stopAll(processes);
    rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    processes.push(await startBerth('start', ['start'], { BERTH_DATA_DIR: dataDir }, options));
    return { mode: 'embedded', apiUrl: processes[0]?.url as string, processes, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function admin(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface DistributedOptions extends TargetOptions {
  /** A Postgres URL allowed to CREATE and DROP DATABASE. */
  adminUrl: string;
  redisUrl: string;
}

export async function startDistributed(options: DistributedOptions): Promise<Target> {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const database = `berth_soak_${tag}`;
  const prefix = `berth-soak-${tag}`;
  const processes: BerthProcess[] = [];
  let created = false;
  const close = once(async () => {
    await stopAll(processes);
    if (created) await admin(options.adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    // The machine's Redis is shared: only this run's keys go.
    await deleteRedisKeys(options.redisUrl, prefix);
  });
  try {
    await admin(options.adminUrl, `CREATE DATABASE ${database}`);
    created = true;
    const url = new URL(options.adminUrl);
    url.pathname = `/${database}`;
    const env = { DATABASE_URL: url.toString(), REDIS_URL: options.redisUrl, BERTH_REDIS_PREFIX: prefix };
    // The api first: it migrates the database the worker then checks.
    processes.push(await startBerth('api', ['api'], env, options));
    processes.push(await startBerth('worker', ['worker'], env, options));
    return { mode: 'distributed', apiUrl: processes[0]?.url as string, processes, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The run's scratch dir (process logs); kept when the run fails so the logs can be read. */
export function makeRunDir(): string {
  return mkdtempSync(join(tmpdir(), 'berth-soak-'));
}
