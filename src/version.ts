import { readFileSync } from 'node:fs';

// src/ and dist/ both sit one level below the package root.
const pkg: { version: string } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
);
export const VERSION = pkg.version;
