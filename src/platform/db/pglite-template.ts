import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { extract } from 'tar';
import { migrationsFolder } from './migrations.js';
import { loadPglite } from './pglite-driver.js';

/**
 * Writes a gzipped PGlite data dir with every migration applied. Starting a new store from it
 * skips initdb (~4 s); the build ships one, and tests make their own once.
 */
export async function writePgliteTemplate(path: string): Promise<void> {
  const { PGlite, drizzle, migrate } = await loadPglite();
  const client = await PGlite.create('memory://');
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
    // Berth uses only the database `postgres` and never creates another: the two template databases
    // are 600 of the 1,060 files a new data dir starts with, and creating files is most of its cost.
    for (const name of ['template1', 'template0']) {
      await client.query(`ALTER DATABASE ${name} IS_TEMPLATE false`);
      await client.query(`DROP DATABASE ${name}`);
    }
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

/**
 * Makes `dataDir` (missing or empty) a copy of the template, through a sibling directory renamed into
 * place once complete: a start that dies half-way leaves no half data dir to open next time. PGlite's
 * own `loadDataDir` holds the archive whole in memory, unpacked, and writes it through its WASM file
 * system (~1 s and ~100 MiB of RSS that stayed after).
 */
export async function extractPgliteTemplate(templatePath: string, dataDir: string): Promise<void> {
  const target = resolve(dataDir);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  try {
    // PGlite names members by absolute paths, which node-tar makes relative to `partial` (and it skips
    // any that would leave it); a damaged or cut-short archive still fails the extraction. Synchronous,
    // and without restoring owners, modes or times: a new data dir is hundreds of small files, and
    // node-tar's asynchronous path cost ~0.6 s more at start-up, before anything else runs.
    extract({
      file: templatePath,
      cwd: partial,
      sync: true,
      preserveOwner: false,
      noChmod: true,
      noMtime: true,
    });
    // Fails on a directory that is not empty: nothing already there is replaced.
    if (existsSync(target)) rmdirSync(target);
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}
