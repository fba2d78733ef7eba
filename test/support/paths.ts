import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationsFolder } from '../../src/platform/db/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

// Keyed by the migrations, so a new migration never loads a stale template.
export const PGLITE_TEMPLATE = join(
  REPO_ROOT,
  `node_modules/.cache/berth/pglite-template-${migrationsHash()}.tar.gz`,
);
