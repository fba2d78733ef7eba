import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from './migrations.js';

/**
 * Writes a gzipped PGlite data dir with every migration applied. Starting a new store from it
 * skips initdb (~4 s); the build ships one, and tests make their own once.
 */
export async function writePgliteTemplate(path: string): Promise<void> {
  const client = await PGlite.create('memory://');
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
    const blob = await client.dumpDataDir('gzip');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(await blob.arrayBuffer()));
  } finally {
    await client.close();
  }
}

export async function ensurePgliteTemplate(path: string): Promise<string> {
  if (!existsSync(path)) await writePgliteTemplate(path);
  return path;
}
