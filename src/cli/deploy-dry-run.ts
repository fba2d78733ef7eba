// `berth deploy --dry-run`'s validation: the kubernetes overlay or helm values rendered by kubectl kustomize /
// helm template and every object checked (src/modules/deploy/validate). Compose stops at the YAML parse and
// the config rules. Where the schema packages or the tools are absent (the image: they are devDependencies)
// a plain --dry-run says so in one line and still succeeds; --validate makes that exit 2.
import { resolve } from 'node:path';
import type { DeployTarget, GeneratedFile } from '../modules/deploy/index.js';
import { CliError } from './cli-error.js';

export interface DryRunCheck {
  target: DeployTarget;
  env: string;
  /** true: --validate (missing pieces exit 2); false: --no-validate; undefined: validate when possible. */
  validate: boolean | undefined;
  /** A Berth checkout after `npm ci`; default the one this command runs from. */
  toolchain: string | undefined;
  /** deploy/kubernetes of the checkout (absolute); the chart is ../helm/berth beside it. */
  baseDir: string;
  filesFor(kustomizeRoot: string): readonly GeneratedFile[];
  processEnv: Record<string, string | undefined>;
}

/** Prepared before anything is printed, so --validate without the pieces exits 2 with nothing on stdout. */
export async function prepareDryRunCheck(
  check: DryRunCheck,
  err: (text: string) => void,
): Promise<(() => Promise<void>) | undefined> {
  if (check.validate === false || check.target === 'compose') return undefined;
  // Loaded here: only a dry run of kubernetes or helm needs it.
  const { berthInstallation, renderedValidator } = await import('../modules/deploy/validate/index.js');
  const toolchain = check.toolchain ?? berthInstallation();
  const setup = renderedValidator({ target: check.target, toolchain, env: check.processEnv });
  if (!setup.ok) {
    const what = `schema validation needs a Berth checkout with \`npm ci\` (missing ${setup.error.join('; ')})`;
    if (check.validate) throw new CliError(`deploy: --validate: ${what}`, 2);
    return async () => err(`berth: deploy: not validated: ${what}; --validate makes this an error\n`);
  }
  return async () => {
    const result = await setup.value.validate({
      env: check.env,
      filesFor: check.filesFor,
      baseDir: check.baseDir,
      chartDir: resolve(check.baseDir, '..', 'helm', 'berth'),
    });
    if (!result.ok) throw new CliError(result.error.map((line) => `deploy: ${line}`).join('\nberth: '), 1);
    const { objects, renderer } = result.value;
    err(
      `Validated ${objects} objects rendered by ${renderer}: Kubernetes and CRD schemas, ` +
        'Pod Security restricted, pod and egress rules\n',
    );
  };
}
