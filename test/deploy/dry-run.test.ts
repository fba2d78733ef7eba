// `berth deploy --dry-run` as a user runs it: the files on stdout, then (kubernetes, helm) the render by
// kubectl kustomize / helm template validated against the schemas, Pod Security restricted and the pod rules
// (src/modules/deploy/validate); exit 1 naming the object when they refuse it; where the schema packages are
// absent (the image), a one-line notice and exit 0, or exit 2 with --validate.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEPLOY_ENVIRONMENTS, DEPLOY_TARGETS } from '../../src/modules/deploy/index.js';
import { runBerth } from '../support/cli.js';

// The CLI loads the app's modules through tsx (~5 s on an idle machine); a busy shared one takes several times that.
const CLI_TIMEOUT = 120_000;
const scratch = mkdtempSync(join(tmpdir(), 'berth-dry-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const NO_CONFIG = ['--config', '/dev/null'];
const dryRun = (target: string, env: string, ...more: string[]) =>
  runBerth(['deploy', '--target', target, '--env', env, '--dry-run', ...NO_CONFIG, ...more]);
const files = (stdout: string) => [...stdout.matchAll(/^# File: (.+)$/gm)].map((match) => match[1]);
const RENDERER = { kubernetes: 'kubectl kustomize', helm: 'helm template' } as const;

describe.concurrent('berth deploy --dry-run', () => {
  const cases = DEPLOY_TARGETS.flatMap((target) => DEPLOY_ENVIRONMENTS.map((env) => [target, env] as const));
  it.each(cases)(
    '%s %s: prints the files, validates the render and exits 0',
    async (target, env) => {
      const result = await dryRun(target, env);
      expect(result.code, result.stderr).toBe(0);
      expect(files(result.stdout).length).toBeGreaterThan(0);
      if (target === 'compose') {
        // Nothing is rendered for Compose: the YAML parse and the config rules are its checks.
        expect(result.stderr).toBe('');
        return;
      }
      expect(result.stderr).toMatch(
        new RegExp(
          `^Validated \\d+ objects rendered by ${RENDERER[target]}: Kubernetes and CRD schemas, Pod Security restricted, pod and egress rules\\n$`,
        ),
      );
    },
    CLI_TIMEOUT,
  );

  it.each(['kubernetes', 'helm'])(
    '%s: refuses a worker shutdown grace the pods do not outlive, exit 2 naming the key, before printing',
    async (target) => {
      // 40 s of worker shutdown grace, but the pods get 30 s before SIGKILL.
      const config = join(scratch, `grace-${target}.yaml`);
      writeFileSync(config, stringify({ worker: { shutdownGraceMs: 40_000 } }));
      const result = await runBerth([
        'deploy',
        '--target',
        target,
        '--env',
        'staging',
        '--dry-run',
        '--config',
        config,
      ]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        "berth: deploy: worker.shutdownGraceMs: 40000 ms is not below the pods' terminationGracePeriodSeconds " +
          '(30 s): Kubernetes would kill running steps before it ends; keep it under 30000 ms\n',
      );
    },
    CLI_TIMEOUT,
  );

  it.each(['kubernetes', 'helm'])(
    '%s: exits 1 naming the object when the base it renders on breaks a pod rule',
    async (target) => {
      // A copy of deploy/ whose worker pods mount the service-account token: the generator accepts the
      // config, the render on that base does not pass the pod rules.
      const copy = mkdtempSync(join(scratch, `base-${target}-`));
      cpSync(join(process.cwd(), 'deploy'), join(copy, 'deploy'), { recursive: true });
      const edited =
        target === 'kubernetes'
          ? 'deploy/kubernetes/base/worker-deployment.yaml'
          : 'deploy/helm/berth/templates/_deployment.tpl';
      const path = join(copy, edited);
      writeFileSync(
        path,
        readFileSync(path, 'utf8').replace(
          'automountServiceAccountToken: false',
          'automountServiceAccountToken: true',
        ),
      );
      const result = await dryRun(target, 'staging', '--base', join(copy, 'deploy/kubernetes'));
      expect(result.code).toBe(1);
      expect(files(result.stdout).length).toBeGreaterThan(0);
      expect(result.stderr).toContain(
        'berth: deploy: Deployment/berth-worker: automountServiceAccountToken is not false\n',
      );
    },
    CLI_TIMEOUT,
  );

  it(
    'without the schema packages: prints the files with a one-line notice and exits 0; --validate exits 2',
    async () => {
      const empty = mkdtempSync(join(scratch, 'toolchain-'));
      const missing = `kubernetes-models, @kubernetes-models/{keda,argo-cd,argo-rollouts,flux-cd,gateway-api,external-secrets,prometheus-operator} in ${empty}/node_modules`;
      const plain = await dryRun('kubernetes', 'production', '--toolchain', empty);
      expect(plain.code).toBe(0);
      expect(files(plain.stdout)).toContain('deploy/kubernetes/overlays/production/kustomization.yaml');
      expect(plain.stderr).toBe(
        `berth: deploy: not validated: schema validation needs a Berth checkout with \`npm ci\` (missing ${missing}); --validate makes this an error\n`,
      );
      const strict = await dryRun('helm', 'production', '--toolchain', empty, '--validate');
      expect(strict.code).toBe(2);
      expect(strict.stdout).toBe('');
      expect(strict.stderr).toBe(
        `berth: deploy: --validate: schema validation needs a Berth checkout with \`npm ci\` (missing ${missing})\n`,
      );
    },
    CLI_TIMEOUT,
  );

  it(
    '--no-validate prints only; the validation options are refused without --dry-run',
    async () => {
      const skipped = await dryRun('kubernetes', 'dev', '--no-validate');
      expect(skipped.code).toBe(0);
      expect(skipped.stderr).toBe('');
      expect(files(skipped.stdout)).toContain('deploy/kubernetes/overlays/dev/kustomization.yaml');
      const refused = await runBerth([
        'deploy',
        '--target',
        'helm',
        '--env',
        'dev',
        '--output',
        scratch,
        '--validate',
      ]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        'berth: deploy: --validate, --no-validate and --toolchain go with --dry-run\n',
      );
    },
    CLI_TIMEOUT,
  );
});
