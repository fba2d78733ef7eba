// The dry run's validation on real renders: kubectl kustomize and helm template of this checkout, the real
// schema packages. The files come from the generator; where a test breaks them, it edits the generated text
// the way a bug in the generator would, so the schema and the tools are what refuse it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../app/config.js';
import { type GeneratedFile, generateDeployment } from '../index.js';
import { berthInstallation } from './installation.js';
import { renderedValidator } from './rendered-check.js';

const ROOT = berthInstallation();
const BASE = join(ROOT, 'deploy/kubernetes');
const CHART = join(ROOT, 'deploy/helm/berth');
const empty = mkdtempSync(join(tmpdir(), 'berth-no-toolchain-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

const generated = (target: 'kubernetes' | 'helm', env: 'dev' | 'staging', kustomizeRoot: string) => {
  const result = generateDeployment({
    config: configSchema.parse({}),
    defaults: configSchema.parse({}),
    target,
    env,
    kustomizeRoot,
    outputFromProject: '.',
    command: 'test',
  });
  if (!result.ok) throw new Error('the default config was refused');
  return result.value;
};
const edited = (files: readonly GeneratedFile[], path: string, from: string, to: string) =>
  files.map((file) => (file.path === path ? { ...file, text: file.text.replace(from, to) } : file));

const validator = (target: 'kubernetes' | 'helm', toolchain = ROOT) => {
  const setup = renderedValidator({ target, toolchain, env: process.env });
  if (!setup.ok) throw new Error(setup.error.join('\n'));
  return setup.value;
};

describe('renderedValidator', () => {
  it('finds the Berth it runs from: this checkout, or the folder above a bundle', () => {
    expect(ROOT).toBe(resolve(import.meta.dirname, '../../../..'));
    const app = join(empty, 'app');
    mkdirSync(join(app, 'dist'), { recursive: true });
    writeFileSync(join(app, 'package.json'), '{}');
    expect(berthInstallation(join(app, 'dist', 'main.js'))).toBe(app);
  });

  it('passes the generated staging overlay, rendered by kubectl kustomize', async () => {
    const result = await validator('kubernetes').validate({
      env: 'staging',
      filesFor: (root) => generated('kubernetes', 'staging', root),
      baseDir: BASE,
      chartDir: CHART,
    });
    expect(result).toEqual({
      ok: true,
      value: { renderer: 'kubectl kustomize', objects: expect.any(Number) },
    });
    expect(result.ok && result.value.objects).toBeGreaterThan(20);
  });

  it('names the object and the field a schema refuses', async () => {
    const result = await validator('kubernetes').validate({
      env: 'staging',
      filesFor: (root) =>
        edited(
          generated('kubernetes', 'staging', root),
          'autoscaling.yaml',
          'maxReplicas: 10',
          'maxReplicas: ten',
        ),
      baseDir: BASE,
      chartDir: CHART,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContainEqual(
      expect.stringMatching(/^HorizontalPodAutoscaler\/berth-api: \/spec\/maxReplicas must be integer/),
    );
  });

  it('reports what kustomize refuses as problems, not a crash', async () => {
    const result = await validator('kubernetes').validate({
      env: 'dev',
      filesFor: (root) =>
        edited(
          generated('kubernetes', 'dev', root),
          'kustomization.yaml',
          '- path: config.yaml',
          '- path: nowhere.yaml',
        ),
      baseDir: BASE,
      chartDir: CHART,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error[0]).toMatch(/^kubectl kustomize failed: kubectl kustomize .* exited 1/);
    expect(!result.ok && result.error.join('\n')).toContain('nowhere.yaml');
  });

  it('passes the generated dev values through helm template, and reports what the chart schema refuses', async () => {
    const helm = validator('helm');
    const input = { env: 'dev', baseDir: BASE, chartDir: CHART };
    const good = await helm.validate({ ...input, filesFor: (root) => generated('helm', 'dev', root) });
    expect(good).toEqual({ ok: true, value: { renderer: 'helm template', objects: expect.any(Number) } });
    const [values] = generated('helm', 'dev', '.');
    const bad = await helm.validate({
      ...input,
      filesFor: () => [{ path: 'values.yaml', text: `${values?.text}\nunknownTopLevelKey: 1\n` }],
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.join('\n')).toMatch(/^helm template failed:[\s\S]*unknownTopLevelKey/);
  });

  it('says which schema packages a directory without npm ci lacks', () => {
    const setup = renderedValidator({ target: 'kubernetes', toolchain: empty, env: process.env });
    expect(setup).toEqual({
      ok: false,
      error: [
        `kubernetes-models, @kubernetes-models/{keda,argo-cd,argo-rollouts,flux-cd,gateway-api,external-secrets,prometheus-operator} in ${join(empty, 'node_modules')}`,
      ],
    });
  });
});
