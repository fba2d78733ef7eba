// Builds dist/: one bundled dist/main.js (fast start: no module resolution across hundreds of files),
// the SQL migrations beside it, the PGlite template a new data dir starts from, and the web UI in dist/web.
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { build as buildWeb } from 'vite';
import { writePgliteTemplate } from '../src/platform/db/pglite-template.js';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  // PGlite loads its WASM and data files from its own package folder; pg-native is optional.
  external: ['@electric-sql/pglite', 'pg-native'],
  // Some bundled dependencies are CommonJS and call require().
  banner: {
    js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
cpSync('src/platform/db/migrations', 'dist/migrations', { recursive: true });
await writePgliteTemplate('dist/pglite-template.tar.gz');
// Config (plugins, outDir ../dist/web) in web/vite.config.ts, shared with `npm run dev:web`.
await buildWeb({ root: 'web', configFile: 'web/vite.config.ts', logLevel: 'warn' });
