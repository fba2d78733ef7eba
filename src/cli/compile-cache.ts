// Imported first by main.ts: V8's code cache for the bundle's chunks, kept on disk between starts.
import { mkdirSync, statSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A start of the bundle spends ~0.2 s parsing and compiling its chunks; with Node's compile cache every
 * start after the first on a machine reads V8's code for them instead (keyed by their content and
 * Node's version, so a new build or Node is compiled afresh). The cache is code the process runs, so
 * it is used only in a directory of this user's that nobody else can write (the temp dir is shared).
 */
export function enableBundleCompileCache(dir = join(tmpdir(), 'berth-compile-cache')): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { uid, mode } = statSync(dir);
    if (uid !== process.getuid?.() || (mode & 0o022) !== 0) return;
    enableCompileCache(dir);
  } catch {
    // No cache: every start compiles, as without one.
  }
}

// From source (tsx) there is no bundle to cache, and tsx's hooks compile the files anyway.
if (!import.meta.url.endsWith('.ts')) enableBundleCompileCache();
