// Copies the SQL migrations into dist/ and writes the PGlite template a new data dir starts from.
import { cpSync } from 'node:fs';

cpSync('src/platform/db/migrations', 'dist/platform/db/migrations', { recursive: true });
const { writePgliteTemplate } = await import('../dist/platform/db/pglite-template.js');
await writePgliteTemplate('dist/pglite-template.tar.gz');
