import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { trackChild } from '../support/child-processes.js';

export const FIXTURE_SERVER = fileURLToPath(new URL('./fixtures/fixture-server.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export { INJECTION } from './fixtures/fixture-text.js';

/** The stdio fixture as berth.yaml declares it: node runs the TypeScript through tsx. */
export const stdioFixture = {
  command: process.execPath,
  args: ['--import', 'tsx', FIXTURE_SERVER, '--stdio'],
  cwd: REPO_ROOT,
};

export interface HttpFixture {
  port: number;
  url: string;
  pid: number;
  close(): Promise<void>;
}

/** The fixture over Streamable HTTP on loopback, in its own process (so a test can kill it). */
export async function startHttpFixture(): Promise<HttpFixture> {
  const child = trackChild(
    spawn(process.execPath, ['--import', 'tsx', FIXTURE_SERVER, '--http', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    }),
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
  });
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    pid: child.pid as number,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/** Polls until `check` holds, or fails naming what it waited for. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
