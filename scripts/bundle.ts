// The server bundles: dist/main.js (the CLI and every role, with the chunk-*.js and other *-HASH.js files
// it imports) and dist/tracing.js (the OpenTelemetry SDK
// and its instrumentations, which src/instrument.ts loads only when tracing is on). Used by build.ts and
// by the test that runs the bundled roles with tracing on (test/telemetry/trace.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { bundledModuleHook } from '../src/platform/telemetry/tracing-bundle.js';

/**
 * Inside a bundle, pg, pg-pool and ioredis are never `require`d from node_modules, so the
 * instrumentations' hooks never see them: each of their entry files hands its exports to the
 * instrumentations instead (src/platform/telemetry/tracing-bundle.ts). http needs nothing: a builtin
 * is still required through Node. Fastify and undici publish on diagnostics channels.
 */
const instrumentedEntries =
  /[\\/]node_modules[\\/](pg[\\/]lib[\\/]index|pg-pool[\\/]index|ioredis[\\/]built[\\/]index)\.js$/;

const handOverToInstrumentations: Plugin = {
  name: 'berth-instrumented-modules',
  setup(esbuild) {
    esbuild.onLoad({ filter: instrumentedEntries }, (args) => {
      const packageDir = args.path.replace(/[\\/](lib|built)?[\\/]?index\.js$/, '');
      const { name, version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
      const contents = readFileSync(args.path, 'utf8') + bundledModuleHook(name, version);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Node hands V8 a large script as an external string of one byte a character when every character is
 * ASCII, of two otherwise: a single `•` or `广告` in a regex (esbuild escapes strings but neither regex
 * literals nor comments) made main.js's 11.6 MB (before it was split) a 22 MiB string in every process. `\uXXXX` means the
 * same in a regex literal, a comment, a string or an identifier; it moves the columns of the rest of
 * that line by five, which the source maps do not know.
 */
function asciiOnly(path: string): void {
  const text = readFileSync(path, 'utf8');
  const escaped = text.replace(
    /[^\x20-\x7e\t\n\r]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (escaped !== text) writeFileSync(path, escaped);
}

/** Writes main.js, tracing.js and the chunks they share or import (with source maps) into `outdir`. */
export async function bundleServer(outdir: string): Promise<void> {
  const result = await build({
    entryPoints: { main: 'src/main.ts', tracing: 'src/platform/telemetry/tracing.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Code reached only through import() goes into chunks beside the entries, loaded when first
    // imported: a process evaluates what its role uses (e.g. PGlite only where the store is embedded).
    splitting: true,
    target: 'node22',
    sourcemap: true,
    // Maps give stack traces their file and line; the sources themselves would triple their size
    // (and the image's app layers), and are in the repository.
    sourcesContent: false,
    // PGlite loads its WASM and data files from its own package folder; pg-native is optional.
    external: ['@electric-sql/pglite', 'pg-native'],
    // Some bundled dependencies are CommonJS and call require().
    banner: {
      js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);",
    },
    plugins: [handOverToInstrumentations],
    metafile: true,
    logLevel: 'warning',
  });
  for (const output of Object.keys(result.metafile.outputs)) if (output.endsWith('.js')) asciiOnly(output);
  const handedOver = Object.keys(result.metafile.inputs).filter((path) =>
    instrumentedEntries.test(`/${path}`),
  );
  // A dependency that moved its entry file would silently lose its spans.
  if (handedOver.length !== 3)
    throw new Error(`expected pg, pg-pool and ioredis in the bundle, found ${handedOver}`);
}
