import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { DataDirLock } from './data-dir-lock.js';
import { countPendingMigrations, migrationsFolder } from './migrations.js';
import { loadPglite } from './pglite-driver.js';
import { extractPgliteTemplate } from './pglite-template.js';
import type { Db, Store } from './store.js';

export interface PgliteStoreOptions {
  /** Directory of the database files; created when missing. `memory://` keeps it in memory. */
  dataDir: string;
  /** A gzipped data-dir tarball (see pglite-template.ts) that makes a new database start in ~0.6 s instead of ~4 s of initdb. */
  templatePath?: string;
  /** The data dir's lock, released when the store closes (or fails to open). */
  lock?: DataDirLock;
}

const isEmptyDir = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

/**
 * Postgres' defaults size shared memory for a server of 100 connections and 128 MB of buffers. PGlite
 * runs one backend whose shared memory is WASM memory, resident from the start: with those defaults an
 * idle store took ~310 MiB of RSS, with these ~190 MiB. Pages beyond the buffers come from the OS page
 * cache (the data dir is a real directory), one read call each. Added to PGlite's defaultStartParams.
 */
const startParams = ['-c', 'shared_buffers=32MB', '-c', 'max_connections=5'];

export async function openPgliteStore(options: PgliteStoreOptions): Promise<Store> {
  const inMemory = options.dataDir.startsWith('memory://');
  const fresh = inMemory || isEmptyDir(options.dataDir);
  const template =
    fresh && options.templatePath !== undefined && existsSync(options.templatePath)
      ? options.templatePath
      : undefined;
  const { lock } = options;
  let client: PGlite;
  let driver: Awaited<ReturnType<typeof loadPglite>>;
  try {
    driver = await loadPglite();
    // On disk the template is unpacked beforehand; in memory there is only PGlite's file system.
    if (template && !inMemory) await extractPgliteTemplate(template, options.dataDir);
    if (!inMemory) mkdirSync(options.dataDir, { recursive: true });
    client = await driver.PGlite.create(options.dataDir, {
      startParams: [...driver.PGlite.defaultStartParams, ...startParams],
      loadDataDir: template && inMemory ? new Blob([readFileSync(template)]) : undefined,
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const { drizzle, migrate } = driver;
  const db: Db = drizzle({ client });
  return {
    kind: 'pglite',
    db,
    lock,
    // One process owns a PGlite directory (the data dir lock), so migrations need no lock of their own.
    migrate: () => migrate(drizzle({ client }), { migrationsFolder }),
    ping: async () => {
      await client.query('SELECT 1');
    },
    pendingMigrations: () => countPendingMigrations(db),
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}
