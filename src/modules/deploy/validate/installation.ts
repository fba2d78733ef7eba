import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory of the package.json above this code: the checkout when Berth runs from one (src/ through
 * tsx, or dist/main.js), /app in the image. Walked up rather than a fixed `../..`, because the bundle
 * puts this file's code in dist/main.js.
 */
export function berthInstallation(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(from);
  }
}
