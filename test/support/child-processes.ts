import type { ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';

/**
 * Every process a test file spawned through test/support, each the leader of its own process group
 * (spawned `detached`), so that what it started in turn (a worker's children, a shell's) goes too.
 * A failed test or hook skips its own cleanup; this one runs after every file (vitest.config.ts
 * setupFiles) and at the worker's exit, so no `berth worker` outlives the run that started it.
 */
const live = new Set<ChildProcess>();

export function trackChild<C extends ChildProcess>(child: C): C {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs the process group `child` leads (see trackChild), or `child` alone if it leads none. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Kills the process group of every tracked process still running. */
export function killTrackedChildren(): void {
  for (const child of live) killGroup(child);
  live.clear();
}

process.once('exit', killTrackedChildren);

/** For vitest's setupFiles: the kill after each file, whatever its tests did. */
export function registerChildCleanup(): void {
  afterAll(killTrackedChildren);
}
