import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AcquireLockOptions, acquireDataDirLock } from './data-dir-lock.js';
import { openPgliteStore } from './pglite-store.js';
import { openPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  databaseUrl?: string;
  dataDir: string;
  pgliteTemplatePath?: string;
  /** For the embedded store's data dir lock: what this process runs, and where a stale lock is reported. */
  lock?: AcquireLockOptions;
}

/**
 * Postgres when a URL is configured, else the embedded store under the data dir, which this
 * process then holds (`<dataDir>/berth.lock`) until the store is closed.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl) return openPostgresStore({ url: options.databaseUrl });
  if (options.dataDir.startsWith('memory://')) {
    return openPgliteStore({ dataDir: options.dataDir, templatePath: options.pgliteTemplatePath });
  }
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const lock = await acquireDataDirLock(dataDir, options.lock);
  return openPgliteStore({
    dataDir: resolve(dataDir, 'pgdata'),
    templatePath: options.pgliteTemplatePath,
    lock,
  });
}
