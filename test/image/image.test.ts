import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { SERVICES_REQUIRED } from '../support/services.js';

const MB = 1024 * 1024;
/** The image's own layers (everything above the Node base) must stay below this. */
const APP_LAYERS_LIMIT_BYTES = 60 * MB;

/** undefined when the image can be built here; else the one-line reason to skip (thrown under BERTH_REQUIRE_SERVICES=1). */
function imageToolsSkipReason(): string | undefined {
  const missing = ['buildah', 'podman', 'runc'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  let reason: string | undefined;
  if (missing.length > 0) reason = `${missing.join(', ')} not installed (see docs/image.md)`;
  else if (process.getuid?.() !== 0)
    reason = 'buildah and podman run rootful here: the image test needs root';
  if (reason && SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

function runImageTest(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'scripts/image/image-test.sh'), {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The script's `key=value` lines. */
function parseReport(stdout: string): Map<string, string> {
  const entries = stdout
    .split('\n')
    .map((line) => /^([a-z_]+)=(.*)$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map((match): [string, string] => [match[1] ?? '', match[2] ?? '']);
  return new Map(entries);
}

const skip = imageToolsSkipReason();
if (skip) {
  describe.skip(`container image — skipped: ${skip}`, () => {
    it('needs buildah, podman and runc', () => {});
  });
} else {
  describe('container image', () => {
    // A first build on the vfs driver copies every layer and runs npm ci: minutes, not seconds.
    it('builds from the Dockerfile, serves as uid 1000 on a read-only root, stops on SIGTERM', {
      timeout: 600_000,
    }, async () => {
      const result = await runImageTest();
      if (result.code !== 0) console.error(result.stderr.split('\n').slice(-40).join('\n'));
      expect(result.code).toBe(0);

      const report = parseReport(result.stdout);
      expect(report.get('image_test')).toBe('ok');
      const imageBytes = Number(report.get('image_bytes'));
      const baseBytes = Number(report.get('base_bytes'));
      const appBytes = Number(report.get('app_layers_bytes'));
      expect(imageBytes).toBeGreaterThan(baseBytes);
      expect(appBytes).toBe(imageBytes - baseBytes);
      console.info(
        `image ${(imageBytes / MB).toFixed(1)} MB = base ${(baseBytes / MB).toFixed(1)} MB + app ${(appBytes / MB).toFixed(1)} MB` +
          ` (build ${report.get('build_seconds')} s)`,
      );
      expect(appBytes).toBeLessThanOrEqual(APP_LAYERS_LIMIT_BYTES);
    });
  });
}
