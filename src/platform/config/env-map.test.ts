import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envMap } from './env-map.js';

describe('the README configuration table', () => {
  it('documents every variable Berth reads, with its file key', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const { env, path } of envMap) {
      expect(readme, env).toContain(`| \`${env}\` | \`${path.join('.')}\` |`);
    }
  });
});
