import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, generateSchemaSource, SCHEMA_FILE } from '../../scripts/openapi.js';
import { PGLITE_TEMPLATE, REPO_ROOT } from '../support/paths.js';

describe('the UI API types', () => {
  it('are what the routes generate now (web/src/api/schema.ts is committed up to date)', async () => {
    const document = await buildOpenApiDocument({ pgliteTemplatePath: PGLITE_TEMPLATE });
    const generated = await generateSchemaSource(document);
    const committed = readFileSync(join(REPO_ROOT, SCHEMA_FILE), 'utf8');
    expect(committed, `${SCHEMA_FILE} is out of date: run npm run api-types`).toBe(generated);
  });
});
