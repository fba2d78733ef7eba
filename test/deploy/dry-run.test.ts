// `berth deploy --dry-run` as a user runs it: the files on stdout, then (kubernetes, helm) the render by
// kubectl kustomize / helm template validated against the schemas, Pod Security restricted and the pod rules
// (src/modules/deploy/validate); exit 1 naming the object when they refuse it; where the schema packages are
// absent (the image), a one-line notice and exit 0, or exit 2 with --validate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    '%s: exits 1 naming the object when a config the generator accepts renders a worker SIGTERM would cut short',
    async (target) => {
      // 40 s of worker shutdown grace, but the pods get the default 30 s before SIGKILL.
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
      expect(result.code).toBe(1);
      expect(files(result.stdout).length).toBeGreaterThan(0);
      expect(result.stderr).toBe(
        'berth: deploy: Deployment/berth-worker: terminationGracePeriodSeconds (30 s) does not exceed ' +
          'BERTH_WORKER_SHUTDOWN_GRACE_MS (40000 ms): running steps would be killed mid-way\n',
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
