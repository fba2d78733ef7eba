import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
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

const BLOCK = 512;

/** A NUL-terminated field of a tar header. */
const field = (header: Buffer, start: number, length: number): string => {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
};

/** Where a tar member goes under `dir`; a name that would leave it is refused. */
function memberPath(dir: string, header: Buffer): string {
  const name = field(header, 0, 100);
  const prefix = field(header, 345, 155);
  const path = resolve(dir, `${prefix ? `${prefix}/` : ''}${name}`.replace(/^\/+/, ''));
  if (path !== dir && !path.startsWith(dir + sep))
    throw new Error(`template member outside the data dir: ${name}`);
  return path;
}

/**
 * Unpacks the regular files and directories of a tar stream (what PGlite's dumpDataDir writes) into
 * `dir`, a chunk at a time: the archive (~40 MB) is never held whole.
 */
async function untar(chunks: AsyncIterable<Buffer>, dir: string): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let fd: number | undefined;
  let dataLeft = 0;
  let padLeft = 0;
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (at < pending.length) {
      if (dataLeft > 0) {
        const n = Math.min(dataLeft, pending.length - at);
        writeSync(fd as number, pending, at, n);
        at += n;
        dataLeft -= n;
        if (dataLeft === 0) closeSync(fd as number);
        continue;
      }
      if (padLeft > 0) {
        const n = Math.min(padLeft, pending.length - at);
        at += n;
        padLeft -= n;
        continue;
      }
      if (pending.length - at < BLOCK) break;
      const header = pending.subarray(at, at + BLOCK);
      at += BLOCK;
      // The archive ends with zero blocks.
      if (header.every((byte) => byte === 0)) continue;
      const path = memberPath(dir, header);
      const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
      const type = field(header, 156, 1);
      if (type === '5') {
        mkdirSync(path, { recursive: true, mode: 0o700 });
      } else if (type === '0' || type === '') {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        fd = openSync(path, 'w', 0o600);
        if (size === 0) closeSync(fd);
        dataLeft = size;
        padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
      } else {
        throw new Error(`unexpected tar member type ${JSON.stringify(type)} in the PGlite template`);
      }
    }
    pending = pending.subarray(at);
  }
  if (dataLeft > 0 || padLeft > 0) throw new Error('the PGlite template ends in the middle of a file');
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
    await pipeline(createReadStream(templatePath), createGunzip(), (chunks) => untar(chunks, partial));
    // Fails on a directory that is not empty: nothing already there is replaced.
    if (existsSync(target)) rmdirSync(target);
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}
