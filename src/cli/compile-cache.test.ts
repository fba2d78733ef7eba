import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const moduleUrl = new URL('./compile-cache.ts', import.meta.url).href;

/** The compile cache directory a fresh process ends up with after enableBundleCompileCache(dir). */
function cacheDirAfterEnabling(dir: string): string {
  const script = `
    const { enableBundleCompileCache } = await import(${JSON.stringify(moduleUrl)});
    enableBundleCompileCache(${JSON.stringify(dir)});
    const { getCompileCacheDir } = await import('node:module');
    process.stdout.write(getCompileCacheDir() ?? 'none');`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-compile-cache-test-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('enableBundleCompileCache', () => {
  it("keeps V8's code cache in a directory only this user can write", () => {
    const dir = join(root, 'cache');
    expect(cacheDirAfterEnabling(dir).startsWith(`${dir}/`)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('uses no cache in a directory others can write to', () => {
    const dir = join(root, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(cacheDirAfterEnabling(dir)).toBe('none');
    expect(readdirSync(dir)).toEqual([]);
  });
});
