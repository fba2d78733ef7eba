// Builds dist/: the bundled dist/main.js and its chunks (fast start: no module resolution across hundreds
// of files) and dist/tracing.js, the SQL migrations beside them, the PGlite template a new data dir starts from, and the web UI in dist/web.
import { cpSync, rmSync } from 'node:fs';
import { build as buildWeb } from 'vite';
import { writePgliteTemplate } from '../src/platform/db/pglite-template.js';
import { bundleServer } from './bundle.js';

rmSync('dist', { recursive: true, force: true });
// dist/main.js and dist/tracing.js (loaded only when tracing is on): scripts/bundle.ts.
await bundleServer('dist');
cpSync('src/platform/db/migrations', 'dist/migrations', { recursive: true });
await writePgliteTemplate('dist/pglite-template.tar.gz');
// Config (plugins, outDir ../dist/web) in web/vite.config.ts, shared with `npm run dev:web`.
await buildWeb({ root: 'web', configFile: 'web/vite.config.ts', logLevel: 'warn' });
