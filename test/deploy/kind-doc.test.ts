// docs/kind.md, the walkthrough to a local kind cluster, checked without a cluster: every command of its
// fenced shell blocks names files, directories, npm scripts and Kubernetes objects that exist; the overlay
// it applies renders with kubectl kustomize (through the project's `npm run kubectl`); the image it builds
// and loads is the one that overlay runs; the namespace and objects it waits on are the overlay's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { type K8sObject, podTemplates, ROOT, renderKustomize } from '../support/k8s/render.js';

const DOC = 'docs/kind.md';
const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;

/** The commands of the doc's sh/bash blocks, one a line, comments and continuation lines joined. */
function commands(markdown: string): string[] {
  return new MarkdownIt()
    .parse(markdown, {})
    .filter((token) => token.type === 'fence' && /^(sh|bash|shell)$/.test(token.info.trim()))
    .flatMap((token) => token.content.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

const renders = new Map<string, K8sObject[] | string>();
/** The objects a kustomization renders, or kubectl's error. */
function render(dir: string): K8sObject[] | string {
  if (!renders.has(dir)) {
    try {
      renders.set(dir, renderKustomize(dir));
    } catch (error) {
      renders.set(dir, (error as Error).message.split('\n')[0] ?? 'does not render');
    }
  }
  return renders.get(dir) as K8sObject[] | string;
}

/** What is wrong with the doc's commands, one line each; empty when every name in them holds. */
function docProblems(markdown: string): string[] {
  const problems: string[] = [];
  const lines = commands(markdown);
  const overlays = new Set<string>();
  for (const line of lines) {
    for (const [, script] of line.matchAll(/\bnpm run (\S+)/g))
      if (!scripts[script as string]) problems.push(`${line}: no npm script ${script}`);
    // Repository paths: a deploy/, docs/ or scripts/ path, or a file named with -f.
    for (const [, path] of line.matchAll(/(?:^|\s)((?:deploy|docs|scripts)\/[\w./-]+|-f \S+)/g)) {
      const file = (path as string).replace(/^-f /, '');
      if (!existsSync(join(ROOT, file))) problems.push(`${line}: ${file} does not exist`);
    }
    for (const [, dir] of line.matchAll(/(?:kustomize|-k) (\S+)/g)) {
      overlays.add(dir as string);
      const result = render(dir as string);
      if (typeof result === 'string') problems.push(`${line}: ${dir} does not render: ${result}`);
    }
  }
  const rendered = [...overlays].map(render).filter((r): r is K8sObject[] => typeof r !== 'string');
  if (overlays.size === 0) problems.push('no command applies or renders a kustomization');
  const objects = rendered.flat();
  // The namespace and the objects the commands wait on, forward to or delete are the overlay's.
  const namespaces = new Set(objects.map((o) => o.metadata.namespace).filter(Boolean));
  for (const line of lines) {
    const namespace = / -n (\S+)/.exec(line)?.[1];
    if (namespace && !namespaces.has(namespace))
      problems.push(`${line}: the overlay renders no namespace ${namespace}`);
    for (const [, kind, name] of line.matchAll(/\b(job|deployment|service)\/([\w-]+)/g)) {
      const found = objects.some((o) => o.kind.toLowerCase() === kind && o.metadata.name === name);
      if (!found) problems.push(`${line}: the overlay renders no ${kind}/${name}`);
    }
  }
  // The image built, loaded into kind, and run by the overlay's Berth containers is one and the same.
  const built = lines.map((l) => /\bdocker build .*-t (\S+)/.exec(l)?.[1]).find(Boolean);
  const loaded = lines.map((l) => /\bkind load docker-image (\S+)/.exec(l)?.[1]).find(Boolean);
  const run = new Set(
    podTemplates(objects)
      .flatMap((t) => t.spec.containers.map((c) => c.image ?? ''))
      .filter((image) => /\/berth[:@]/.test(image)),
  );
  if (!built || built !== loaded)
    problems.push(`the image built (${built}) is not the one loaded (${loaded})`);
  if (run.size !== 1 || !run.has(built ?? '')) problems.push(`the overlay runs ${[...run]}, not ${built}`);
  // One cluster name throughout, and the kubectl context kind makes for it.
  const names = new Set(lines.flatMap((l) => [...l.matchAll(/\bkind \S.* --name (\S+)/g)].map((m) => m[1])));
  if (names.size !== 1) problems.push(`kind cluster names: ${[...names]}`);
  for (const line of lines) {
    const context = /--context (\S+)/.exec(line)?.[1];
    if (context && context !== `kind-${[...names][0]}`) problems.push(`${line}: context ${context}`);
  }
  return problems;
}

describe('docs/kind.md', () => {
  const markdown = readFileSync(join(ROOT, DOC), 'utf8');

  it('has the steps from tools to clean-up, each command in a fenced block', () => {
    const lines = commands(markdown);
    for (const step of [
      /^kind create cluster /,
      /^docker build /,
      /^kind load docker-image /,
      /^npm run kubectl -- apply -k deploy\/kubernetes\/overlays\/dev$/,
      /wait --for=condition=complete job\/berth-migrate/,
      /port-forward service\/berth-api /,
      /\/readyz$/,
      /^kind delete cluster /,
    ])
      expect(
        lines.some((line) => step.test(line)),
        String(step),
      ).toBe(true);
  });

  it('names only files, scripts, overlays and objects that exist, and the image the overlay runs', () => {
    expect(docProblems(markdown)).toEqual([]);
  });

  it('reports a missing overlay, script, file, object, namespace and a mismatched image', () => {
    const broken = markdown
      .replace('apply -k deploy/kubernetes/overlays/dev', 'apply -k deploy/kubernetes/overlays/qa')
      .replace('npm run kubectl -- cluster-info', 'npm run kubeconfig -- cluster-info')
      .replace('-f Dockerfile', '-f Containerfile')
      .replace('deployment/berth-worker', 'deployment/berth-workers')
      .replace('-n berth-dev wait', '-n berth-qa wait')
      .replace('kind load docker-image ghcr.io/berth-dev/berth:0.1.0', 'kind load docker-image berth:dev');
    const problems = docProblems(broken).join('\n');
    expect(problems).toContain('deploy/kubernetes/overlays/qa does not exist');
    expect(problems).toContain('deploy/kubernetes/overlays/qa does not render');
    expect(problems).toContain('no npm script kubeconfig');
    expect(problems).toContain('Containerfile does not exist');
    expect(problems).toContain('the overlay renders no deployment/berth-workers');
    expect(problems).toContain('the overlay renders no namespace berth-qa');
    expect(problems).toContain('is not the one loaded (berth:dev)');
  });
});
