// The repository's manifests rendered the way operators do, for the tests: the validation code of
// src/modules/deploy/validate with this checkout's kubectl, helm and paths relative to it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type HelmRenderOptions,
  renderHelm as helm,
  type K8sObject,
  k8sTools,
  renderKustomize as kustomize,
  lintHelm as lint,
  parseManifests,
} from '../../../src/modules/deploy/validate/index.js';

export type { HelmRenderOptions } from '../../../src/modules/deploy/validate/index.js';
// The object types and helpers, for the tests that import them from here.
export * from '../../../src/modules/deploy/validate/k8s-objects.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** kubectl and helm cached in this checkout (scripts/k8s-tools.ts uses the same). */
export const repoTools = k8sTools({ root: ROOT, env: process.env });
const place = { tools: repoTools, cwd: ROOT };

/** Every *.yaml / *.yml file under a directory of the repository, parsed, in path order. */
export function readManifestDir(relativeDir: string): K8sObject[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry)) files.push(path);
    }
  };
  walk(join(ROOT, relativeDir));
  return files.flatMap((file) => parseManifests(readFileSync(file, 'utf8'), relative(ROOT, file)));
}

/** `kubectl kustomize <dir>` (dir relative to the repository root, or absolute). */
export const renderKustomize = (dir: string): K8sObject[] => kustomize(place, dir);

/** `helm template <release> <chart>`; a schema or template failure throws with helm's message. */
export const renderHelm = (chartDir: string, options: HelmRenderOptions = {}): K8sObject[] =>
  helm(place, chartDir, options);

/** `helm lint <chart>`: returns its output, throws when it reports an error. */
export const lintHelm = (chartDir: string, options: HelmRenderOptions & { strict?: boolean } = {}): string =>
  lint(place, chartDir, options);
