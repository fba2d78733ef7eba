import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { REPO_ROOT } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const baseEnv = (env: Record<string, string>) => {
  // Keep PATH and HOME; drop anything Berth reads so the machine's environment cannot leak into a test.
  const { PATH = '', HOME = '' } = process.env;
  return { PATH, HOME, LOG_LEVEL: 'info', ...env };
};

/** Spawns the real CLI (the TypeScript source, through tsx) as a user would run `berth …`. */
export function spawnBerth(args: string[], env: Record<string, string>, cwd = REPO_ROOT): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `${REPO_ROOT}src/main.ts`, ...args], {
    cwd,
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

/** Starts `berth start` and resolves with its URL once it logs that it is ready. */
export async function startBerthProcess(
  env: Record<string, string>,
  args: string[] = ['start'],
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawnBerth(args, { PORT: '0', ...env });
  let output = '';
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`berth exited with ${code}:\n${output}`)));
  });
  return { url, child, output: () => output };
}

export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  // A process that already ended has one of the two set (signalCode when a signal killed it).
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const [code] = await once(child, 'exit');
  return code;
}
