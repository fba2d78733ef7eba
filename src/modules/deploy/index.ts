// `berth deploy`: manifests from the config the server reads. Public surface of the deploy module.
import type { Config } from '../../app/config.js';
import { composeOverride } from './compose-override.js';
import type { DeployEnvironmentName } from './deploy.schema.js';
import type { DeployIssue } from './deploy-issues.js';
import { planDeployment } from './deploy-plan.js';
import { helmValues } from './helm-values.js';
import { kubernetesOverlay } from './kubernetes-overlay.js';
import type { GeneratedFile } from './yaml-text.js';

export { describeIssue } from './deploy-issues.js';
export type { GeneratedFile } from './yaml-text.js';

export const DEPLOY_TARGETS = ['kubernetes', 'helm', 'compose'] as const;
export const DEPLOY_ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];

interface GenerateInput {
  config: Config;
  /** The config of an empty berth.yaml: settings equal to it are left to the base. */
  defaults: Config;
  target: DeployTarget;
  env: DeployEnvironmentName;
  /** `--image`: name:tag, name@sha256:…, or both. Default the config's deploy.image. */
  image?: string;
  /** Path from the output directory to deploy/kubernetes (kubernetes only). */
  kustomizeRoot: string;
  /** Path from the project directory to the output directory (compose only). */
  outputFromProject: string;
  /** The command line to name in the files' headers. */
  command: string;
}

/** The files of one target and environment, or every problem with the config, each naming its key. */
export function generateDeployment(
  input: GenerateInput,
): { ok: true; value: GeneratedFile[] } | { ok: false; error: DeployIssue[] } {
  const plan = planDeployment(input);
  if (!plan.ok) return plan;
  switch (input.target) {
    case 'kubernetes':
      return { ok: true, value: kubernetesOverlay(plan.value, input) };
    case 'helm':
      return helmValues(plan.value, input.command);
    case 'compose':
      return { ok: true, value: composeOverride(plan.value, input) };
  }
}
export { deploySchema } from './deploy.schema.js';
