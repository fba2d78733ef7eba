import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { parseAllDocuments } from 'yaml';
import { type Config, configSchema, loadConfig } from '../app/config.js';
import {
  DEPLOY_ENVIRONMENTS,
  DEPLOY_TARGETS,
  type DeployTarget,
  describeIssue,
  type GeneratedFile,
  generateDeployment,
} from '../modules/deploy/index.js';
import type { ConfigCheck } from '../platform/config/index.js';
import { CliError } from './cli-error.js';
import { prepareDryRunCheck } from './deploy-dry-run.js';

interface DeployOptions {
  target: DeployTarget;
  env: (typeof DEPLOY_ENVIRONMENTS)[number];
  config?: string;
  image?: string;
  output?: string;
  dryRun?: boolean;
  validate?: boolean;
  toolchain?: string;
  base: string;
}

export interface DeployCommandContext {
  cwd: string;
  /** Handed to npm (the tools' first fetch), kubectl and helm; the manifests never read it. */
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(text: string): void;
}

/** Where each target's files go when the user names no directory (what --dry-run's paths assume). */
const defaultOutput = (target: DeployTarget, env: string) =>
  target === 'kubernetes'
    ? `deploy/kubernetes/overlays/${env}`
    : target === 'helm'
      ? 'deploy/helm/berth'
      : 'deploy/compose';

// The file alone (defaults → berth.yaml), not this shell's environment: the manifests carry the settings
// of the cluster, and variables of the machine that runs `berth deploy` must not leak into them.
async function readConfig(cwd: string, file: string | undefined): Promise<Config> {
  // An agent naming a tool that does not exist is refused here as at start (loaded here: it is heavy).
  const { appConfigChecks } = await import('../app/core.js');
  const checks: ReadonlyArray<ConfigCheck<Config>> = appConfigChecks;
  const result = loadConfig({ env: file ? { BERTH_CONFIG: file } : {}, cwd, checks });
  if (result.ok) return result.value;
  throw new CliError(result.error.problems.map((p) => `invalid configuration: ${p}`).join('\nberth: '), 2);
}

/** A generated file that does not parse is a bug here, not the user's: say so before anything is written. */
function checkParses(files: readonly GeneratedFile[]) {
  for (const file of files) {
    const broken = parseAllDocuments(file.text).flatMap((doc) => doc.errors);
    if (broken.length > 0)
      throw new Error(`berth deploy wrote invalid YAML in ${file.path}: ${broken[0]?.message}`);
  }
}

export function registerDeployCommand(program: Command, context: DeployCommandContext) {
  program
    .command('deploy')
    .description('write Kubernetes, Helm or Compose manifests for this config (docs/deploy.md)')
    .addOption(new Option('--target <target>', 'what to write').choices(DEPLOY_TARGETS).makeOptionMandatory())
    .addOption(
      new Option('--env <env>', 'the environment').choices(DEPLOY_ENVIRONMENTS).makeOptionMandatory(),
    )
    .option('--config <file>', 'the config file (default ./berth.yaml, if there is one)')
    .option('--image <ref>', 'the image to run: name:tag or name@sha256:… (default deploy.image)')
    .option('--output <dir>', 'write the files into this directory')
    .option(
      '--dry-run',
      'print the files instead of writing them; kubernetes and helm: render them (kubectl kustomize, helm ' +
        'template) and validate every object (schemas, Pod Security restricted, pod rules; exit 1 on a ' +
        'problem) when this is a Berth checkout after npm ci; compose: the YAML parse and the config rules',
    )
    .option(
      '--validate',
      '--dry-run: exit 2 when the schemas or kubectl/helm are missing, instead of a notice',
    )
    .option('--no-validate', '--dry-run: print only, render and validate nothing')
    .option(
      '--toolchain <dir>',
      'the Berth checkout (after npm ci) whose node_modules holds the schema packages and the kubectl/helm ' +
        'cache (default: the Berth running this command)',
    )
    .option(
      '--base <dir>',
      'deploy/kubernetes of a Berth checkout (kubernetes: the overlay refers to it)',
      'deploy/kubernetes',
    )
    .action(async (options: DeployOptions) => {
      if (Boolean(options.output) === Boolean(options.dryRun)) {
        throw new CliError('deploy: give exactly one of --output <dir> and --dry-run', 2);
      }
      if (!options.dryRun && (options.validate !== undefined || options.toolchain)) {
        throw new CliError('deploy: --validate, --no-validate and --toolchain go with --dry-run', 2);
      }
      const { cwd } = context;
      const output = resolve(cwd, options.output ?? defaultOutput(options.target, options.env));
      const baseDir = resolve(cwd, options.base);
      const input = {
        config: await readConfig(cwd, options.config),
        defaults: configSchema.parse({}),
        target: options.target,
        env: options.env,
        image: options.image,
        outputFromProject: relative(cwd, output),
        command: `berth deploy --target ${options.target} --env ${options.env}`,
      };
      const result = generateDeployment({ ...input, kustomizeRoot: relative(output, baseDir) || '.' });
      if (!result.ok) {
        throw new CliError(result.error.map((p) => `deploy: ${describeIssue(p)}`).join('\nberth: '), 2);
      }
      checkParses(result.value);
      const validate = options.dryRun
        ? await prepareDryRunCheck(
            {
              target: options.target,
              env: options.env,
              validate: options.validate,
              toolchain: options.toolchain && resolve(cwd, options.toolchain),
              baseDir,
              // The same config again, for a directory elsewhere: only the path to the base changes.
              filesFor: (kustomizeRoot) => {
                const again = generateDeployment({ ...input, kustomizeRoot });
                if (!again.ok) throw new Error('berth deploy refused a config it had accepted');
                return again.value;
              },
              processEnv: context.env,
            },
            context.err,
          )
        : undefined;
      for (const file of result.value) {
        if (options.dryRun) {
          context.out(`---\n# File: ${relative(cwd, join(output, file.path))}\n${file.text.trimEnd()}`);
          continue;
        }
        const path = join(output, file.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.text);
        context.out(`Wrote ${relative(cwd, path)}`);
      }
      await validate?.();
    });
}
