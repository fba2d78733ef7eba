import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

describe('the SBOM (CycloneDX)', () => {
  it('lists the production dependencies the image ships, and no dev-only tooling', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sbom-'));
    try {
      const file = join(dir, 'sbom.json');
      execFileSync(
        join(REPO_ROOT, 'node_modules/.bin/cyclonedx-npm'),
        ['--omit', 'dev', '--output-format', 'JSON', '--output-file', file],
        { cwd: REPO_ROOT, stdio: 'pipe' },
      );
      const sbom = JSON.parse(readFileSync(file, 'utf8')) as {
        bomFormat: string;
        specVersion: string;
        components: Array<{ name: string; group?: string; version: string; purl?: string }>;
      };
      expect(sbom.bomFormat).toBe('CycloneDX');
      const names = new Set(sbom.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name)));
      for (const runtime of ['@electric-sql/pglite', 'fastify', 'bullmq', 'ai', 'zod', 'pg'])
        expect(names, runtime).toContain(runtime);
      for (const devOnly of ['vitest', 'typescript', '@biomejs/biome', 'vite', 'playwright-core']) {
        expect(names, devOnly).not.toContain(devOnly);
      }
      expect(sbom.components.every((c) => c.version && c.purl?.startsWith('pkg:npm/'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
