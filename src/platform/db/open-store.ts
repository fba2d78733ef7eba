import { resolve } from 'node:path';
import { openPgliteStore } from './pglite-store.js';
import { openPostgresStore } from './postgres-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  databaseUrl?: string;
  dataDir: string;
  pgliteTemplatePath?: string;
}

/** Postgres when a URL is configured, else the embedded store under the data dir. */
export function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl) return openPostgresStore({ url: options.databaseUrl });
  const dataDir = options.dataDir.startsWith('memory://')
    ? options.dataDir
    : resolve(options.dataDir, 'pgdata');
  return openPgliteStore({ dataDir, templatePath: options.pgliteTemplatePath });
}
