// What `berth deploy --dry-run` validates for kubernetes and helm: the generated files written into a
// temporary directory, rendered by kubectl kustomize or helm template, and every object checked against its
// schema, Pod Security "restricted" and Berth's pod rules. Compose has no such step: its override is
// checked by the YAML parse and the config rules only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { GeneratedFile } from '../yaml-text.js';
import type { K8sObject } from './k8s-objects.js';
import { type K8sTool, k8sTools } from './k8s-tools.js';
import { policyViolations } from './policy.js';
import { renderHelm, renderKustomize } from './render.js';
import { type SchemaCatalog, schemaCatalog } from './schemas.js';

export type RenderedTarget = 'kubernetes' | 'helm';

export interface ValidationSetup {
  target: RenderedTarget;
  /** A Berth checkout after `npm ci`: the schema packages in its node_modules, kubectl and helm cached there. */
  toolchain: string;
  /** The environment npm (first fetch of the tools), kubectl and helm run with. */
  env: Record<string, string | undefined>;
}

export interface RenderedInput {
  /** The environment's name: helm renders into namespace berth-<env>, as the overlays do. */
  env: string;
  /** The generated files for an output directory, given the kustomize path from it to `baseDir`. */
  filesFor(kustomizeRoot: string): readonly GeneratedFile[];
  /** deploy/kubernetes of the checkout the overlay refers to. */
  baseDir: string;
  /** deploy/helm/berth of the checkout. */
  chartDir: string;
}

export interface RenderedReport {
  /** What rendered the objects, e.g. `kubectl kustomize`. */
  renderer: string;
  objects: number;
}

export interface RenderedValidator {
  validate(
    input: RenderedInput,
  ): Promise<{ ok: true; value: RenderedReport } | { ok: false; error: string[] }>;
}

const TOOL: Record<RenderedTarget, K8sTool> = { kubernetes: 'kubectl', helm: 'helm' };
const RENDERER: Record<RenderedTarget, string> = { kubernetes: 'kubectl kustomize', helm: 'helm template' };

function writeFiles(dir: string, files: readonly GeneratedFile[]) {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
}

/** `kubernetes-models, @kubernetes-models/{keda,flux-cd}`: the packages, shortly. */
function packageList(names: readonly string[]): string {
  const scoped = names.filter((name) => name.startsWith('@kubernetes-models/'));
  const rest = names.filter((name) => !scoped.includes(name));
  const short = scoped.map((name) => name.slice('@kubernetes-models/'.length));
  const group = short.length > 1 ? `@kubernetes-models/{${short.join(',')}}` : scoped.join('');
  return [...rest, ...(group ? [group] : [])].join(', ');
}

/** A tool's refusal as problem lines (kustomize or the chart's values schema said no). */
const toolFailure = (renderer: string, error: unknown) =>
  (error as Error).message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line, index) => (index === 0 ? `${renderer} failed: ${line}` : line));

function render(target: RenderedTarget, place: Parameters<typeof renderKustomize>[0], input: RenderedInput) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-deploy-check-'));
  try {
    if (target === 'kubernetes') {
      const overlay = join(dir, 'overlay');
      writeFiles(overlay, input.filesFor(relative(overlay, input.baseDir) || '.'));
      return renderKustomize(place, overlay);
    }
    const files = input.filesFor(relative(dir, input.baseDir) || '.');
    writeFiles(dir, files);
    return renderHelm(place, input.chartDir, {
      valuesFiles: files.map((file) => join(dir, file.path)),
      namespace: `berth-${input.env}`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function check(catalog: SchemaCatalog, objects: readonly K8sObject[]): Promise<string[]> {
  await catalog.load(objects);
  return [...catalog.allErrors(objects), ...policyViolations(objects)];
}

/**
 * The validator for a target, or what is missing for it: the schema packages (not in the image: they are
 * devDependencies) or the renderer (fetched into the checkout on first use; Linux x86_64 only).
 */
export function renderedValidator(
  setup: ValidationSetup,
): { ok: true; value: RenderedValidator } | { ok: false; error: string[] } {
  const catalog = schemaCatalog(setup.toolchain);
  if (!catalog.ok) {
    return {
      ok: false,
      error: [`${packageList(catalog.error)} in ${join(setup.toolchain, 'node_modules')}`],
    };
  }
  const tools = k8sTools({ root: setup.toolchain, env: setup.env });
  const tool = TOOL[setup.target];
  try {
    tools.path(tool);
  } catch (error) {
    return { ok: false, error: [`${tool}: ${(error as Error).message.split('\n')[0]}`] };
  }
  const renderer = RENDERER[setup.target];
  return {
    ok: true,
    value: {
      async validate(input) {
        let objects: K8sObject[];
        try {
          objects = render(setup.target, { tools }, input);
        } catch (error) {
          return { ok: false, error: toolFailure(renderer, error) };
        }
        const problems = await check(catalog.value, objects);
        if (problems.length > 0) return { ok: false, error: problems };
        return { ok: true, value: { renderer, objects: objects.length } };
      },
    },
  };
}
