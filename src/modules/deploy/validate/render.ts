// Rendering manifests the way operators do (kubectl kustomize, helm template) into plain objects for the
// schema and policy checks. Paths are relative to `cwd` (default the tools' root) or absolute.
import { type K8sObject, parseManifests } from './k8s-objects.js';
import type { K8sTools } from './k8s-tools.js';

export interface RenderPlace {
  tools: K8sTools;
  cwd?: string;
}

/** `kubectl kustomize <dir>`. */
export function renderKustomize(place: RenderPlace, dir: string): K8sObject[] {
  return parseManifests(
    place.tools.run('kubectl', ['kustomize', dir], { cwd: place.cwd }),
    `kustomize ${dir}`,
  );
}

export interface HelmRenderOptions {
  valuesFiles?: string[];
  set?: string[];
  /** Default berth. */
  namespace?: string;
  /** Default berth. */
  releaseName?: string;
}

function helmArgs(options: HelmRenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((file) => ['--values', file]),
    ...(options.set ?? []).flatMap((assignment) => ['--set', assignment]),
  ];
}

/** `helm template <release> <chart>`; a schema or template failure throws with helm's message. */
export function renderHelm(
  place: RenderPlace,
  chartDir: string,
  options: HelmRenderOptions = {},
): K8sObject[] {
  const args = [
    'template',
    options.releaseName ?? 'berth',
    chartDir,
    '--namespace',
    options.namespace ?? 'berth',
    ...helmArgs(options),
  ];
  return parseManifests(place.tools.run('helm', args, { cwd: place.cwd }), `helm template ${chartDir}`);
}

/** `helm lint <chart>`: returns its output, throws when it reports an error. */
export function lintHelm(
  place: RenderPlace,
  chartDir: string,
  options: HelmRenderOptions & { strict?: boolean } = {},
): string {
  const args = ['lint', chartDir, ...(options.strict ? ['--strict'] : []), ...helmArgs(options)];
  return place.tools.run('helm', args, { cwd: place.cwd });
}
