// Generates web/src/api/schema.ts, the UI's API types, from the OpenAPI document the routes' zod
// schemas produce. The app is built as `berth api` would build it, on an in-memory PGlite, and never
// listens: the document is read from @fastify/swagger directly. Run it with `npm run api-types`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { loadConfig } from '../src/app/config.js';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/platform/telemetry/index.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SCHEMA_FILE = 'web/src/api/schema.ts';

const HEADER = `/**
 * Generated from Berth's OpenAPI document (GET /api/openapi.json) by scripts/openapi.ts with
 * openapi-typescript. Do not edit: change the routes' zod schemas and run \`npm run api-types\`.
 * test/ui/api-types.test.ts fails when this file is out of date.
 */

`;

export interface DocumentOptions {
  /** PGlite template that spares the in-memory store initdb (~4 s). Default: none. */
  pgliteTemplatePath?: string;
}

/** The OpenAPI document of the api role with the default configuration. */
export async function buildOpenApiDocument(options: DocumentOptions = {}): Promise<OpenAPI3> {
  // An empty working directory, so a berth.yaml lying around cannot change the document.
  const cwd = mkdtempSync(join(tmpdir(), 'berth-openapi-'));
  try {
    const loaded = loadConfig({ env: { BERTH_DATA_DIR: 'memory://', LOG_LEVEL: 'error' }, cwd });
    if (!loaded.ok) throw loaded.error;
    const app = await createApp(loaded.value, {
      logger: createLogger('error'),
      role: 'api',
      // A path that does not exist means initdb; the source tree has no template beside app.ts.
      pgliteTemplatePath: options.pgliteTemplatePath ?? join(cwd, 'no-template'),
    });
    try {
      return app.http.swagger() as OpenAPI3;
    } finally {
      await app.close(0);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Formats with the repository's Biome settings, so the file passes `npm run lint` as written. */
function biomeFormat(source: string): string {
  const biome = join(REPO_ROOT, 'node_modules/.bin/biome');
  const result = spawnSync(biome, ['format', `--stdin-file-path=${SCHEMA_FILE}`], {
    cwd: REPO_ROOT,
    input: source,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`biome format failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** The text of web/src/api/schema.ts for an OpenAPI document. */
export async function generateSchemaSource(document: OpenAPI3): Promise<string> {
  // @fastify/swagger always writes components.schemas, empty while no route schema is a named
  // component; openapi-typescript would type that as `{}` (any non-null value, which Biome rejects)
  // where it types an absent map as `never`, like the other empty ones.
  const { schemas, ...components } = document.components ?? {};
  const input = schemas && Object.keys(schemas).length > 0 ? document : { ...document, components };
  // openapi-typescript resolves $refs in place.
  const types = await openapiTS(structuredClone(input), { commentHeader: HEADER, silent: true });
  return biomeFormat(types);
}

async function main() {
  const source = await generateSchemaSource(await buildOpenApiDocument());
  writeFileSync(join(REPO_ROOT, SCHEMA_FILE), source);
  console.log(`wrote ${SCHEMA_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
