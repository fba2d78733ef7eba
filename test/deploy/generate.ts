// berth deploy's generator as the deploy tests drive it: a raw berth.yaml in, the files of one target and
// environment out, written into temporary directories that are removed after the file's tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, expect } from 'vitest';
import { configSchema } from '../../src/app/config.js';
import {
  type DEPLOY_ENVIRONMENTS,
  type DeployTarget,
  describeIssue,
  type GeneratedFile,
  generateDeployment,
} from '../../src/modules/deploy/index.js';
import { policyViolations } from '../../src/modules/deploy/validate/index.js';
import { type K8sObject, ROOT } from '../support/k8s/render.js';
import { allSchemaErrors } from '../support/k8s/schemas.js';

export type Env = (typeof DEPLOY_ENVIRONMENTS)[number];
export const DEFAULTS = configSchema.parse({});

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
export const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-deploy-'));
  temporary.push(dir);
  return dir;
};

export function generate(
  raw: Record<string, unknown>,
  target: DeployTarget,
  env: Env,
  outputDir: string,
): GeneratedFile[] {
  const result = generateDeployment({
    config: configSchema.parse(raw),
    defaults: DEFAULTS,
    target,
    env,
    kustomizeRoot: relative(outputDir, join(ROOT, 'deploy/kubernetes')),
    outputFromProject: relative(ROOT, outputDir),
    command: `berth deploy --target ${target} --env ${env}`,
  });
  if (!result.ok) throw new Error(result.error.map(describeIssue).join('\n'));
  return result.value;
}

export function write(dir: string, files: readonly GeneratedFile[]) {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.text);
  }
}

/** The objects, after asserting they pass the Kubernetes and CRD schemas and the policy checks. */
export function checked(objects: K8sObject[]): K8sObject[] {
  expect(allSchemaErrors(objects)).toEqual([]);
  expect(policyViolations(objects)).toEqual([]);
  return objects;
}
