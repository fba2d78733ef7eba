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

  it('lists no variable that Berth does not read', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const known = new Set([...envMap.map((e) => e.env), 'BERTH_CONFIG']);
    const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(30);
    expect(documented.filter((env) => !known.has(env as string))).toEqual([]);
  });
});
