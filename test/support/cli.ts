import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { killGroup, trackChild } from './child-processes.js';
import { REPO_ROOT } from './paths.js';
import { freePort } from './services.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How long one `berth` command may run, a server may take until /healthz answers, and a stopped one
 * until it exits, before the test fails and kills it. From source (tsx) a cold start costs ~3 s of
 * CPU and a new data dir's initdb ~6 s more; at load 8 on 2 cores a process gets a quarter of a
 * core, four times the wall time. Two minutes leaves room beyond that and still ends a hang.
 */
export const BERTH_DEADLINE_MS = 120_000;

/** `settled`, or after `ms` the process group killed and a rejection saying `what` did not happen. */
async function within<T>(
  settled: Promise<T>,
  child: ChildProcess,
  ms: number,
  what: () => string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${what()} within ${ms / 1000} s; killed it`));
    }, ms);
  });
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const baseEnv = (env: Record<string, string>) => {
  // Keep PATH and HOME; drop anything Berth reads so the machine's environment cannot leak into a test.
  const { PATH = '', HOME = '' } = process.env;
  return { PATH, HOME, LOG_LEVEL: 'info', ...env };
};

/**
 * Spawns the real CLI as a user would run `berth …`: the TypeScript source through tsx, or `entry`,
 * a built bundle's main.js (see scripts/bundle.ts).
 */
export function spawnBerth(
  args: string[],
  env: Record<string, string>,
  cwd = REPO_ROOT,
  entry?: string,
): ChildProcess {
  const command = entry ? [entry] : ['--import', 'tsx', `${REPO_ROOT}src/main.ts`];
  // Its own process group: a failed test's cleanup (child-processes.ts) kills it and its children.
  return trackChild(
    spawn(process.execPath, [...command, ...args], {
      cwd,
      env: baseEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
}

export async function runBerth(
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
): Promise<CliResult> {
  const child = spawnBerth(args, env, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  // 'close', not 'exit': at 'exit' the last of its output may still be on its way through the pipes.
  const [code] = await within(
    once(child, 'close'),
    child,
    BERTH_DEADLINE_MS,
    () => `berth ${args.join(' ')} did not exit:\n${stdout}${stderr}\n`,
  );
  return { code, stdout, stderr };
}

const MAX_KEPT_OUTPUT = 256 * 1024;

/**
 * Starts `berth <args>` (start by default) on a free port — PORT, or WORKER_PORT for a worker —
 * and resolves once its /healthz answers, whatever its log level.
 */
export async function startBerthProcess(
  env: Record<string, string>,
  args: string[] = ['start'],
  options: { entry?: string } = {},
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const portVariable = args[0] === 'worker' ? 'WORKER_PORT' : 'PORT';
  const child = spawnBerth(args, { ...env, [portVariable]: String(port) }, REPO_ROOT, options.entry);
  let output = '';
  const keep = (chunk: Buffer) => {
    if (output.length < MAX_KEPT_OUTPUT) output += chunk;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + BERTH_DEADLINE_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`berth exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    const healthy = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      // Never leave a process behind (nor the data dir lock it holds).
      killGroup(child);
      throw new Error(
        `berth ${args.join(' ')} did not answer /healthz within ${BERTH_DEADLINE_MS / 1000} s:\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, child, output: () => output };
}

export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  // A process that already ended has one of the two set (signalCode when a signal killed it).
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = await within(
    exited,
    child,
    BERTH_DEADLINE_MS,
    () => `pid ${child.pid} did not exit on ${signal}`,
  );
  return code;
}
