// The container recipes in the README and docs/image.md are the ones scripts/image/image-test.sh
// (the image test) runs: the same stand-in base, the same buildah and podman flags. Checked without
// building anything; the image test itself proves the recipe works.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const script = read('scripts/image/image-test.sh');
const standinScript = read('scripts/image/build-standin-base.sh');
const readme = read('README.md');
const imageDoc = read('docs/image.md');

/** The README section `### Run the container image`, up to the next heading. */
const readmeSection = readme.slice(readme.indexOf('### Run the container image')).split(/\n#{2,3} /)[0] ?? '';
/** Shell commands in fenced blocks, continuation lines joined. */
const commands = (markdown: string) =>
  [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    (m[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n'),
  );

const STANDIN = /^STANDIN="([^"]+)"/m.exec(script)?.[1] as string;

describe('the documented container recipes', () => {
  it('name the stand-in base the image test builds', () => {
    expect(STANDIN).toBe('localhost/berth-node-standin:24');
    expect(standinScript).toContain(`\${BERTH_STANDIN_IMAGE:-${STANDIN}}`);
  });

  it.each([
    ['README.md', readmeSection],
    ['docs/image.md', imageDoc],
  ])('%s builds with buildah on the stand-in, with every flag the image test passes', (_file, text) => {
    const bud = commands(text).find((line) => line.startsWith('buildah '));
    expect(bud, 'a buildah command').toBeDefined();
    for (const flag of [
      '--storage-driver vfs',
      'bud --isolation chroot --network host --layers --format docker',
    ]) {
      expect(script).toContain(flag);
      expect(bud).toContain(flag);
    }
    expect(bud).toContain(`--build-arg NODE_IMAGE=${STANDIN}`);
    expect(bud).toContain(`--build-arg RUNTIME_IMAGE=${STANDIN}`);
    expect(commands(text)).toContainEqual(expect.stringMatching(/^scripts\/image\/build-standin-base\.sh\b/));
  });

  it('runs with podman with the flags the image test uses', () => {
    const run = commands(imageDoc).find((line) => line.startsWith('podman '));
    for (const flag of ['--storage-driver vfs', '--runtime runc', '--cgroup-manager cgroupfs']) {
      expect(script).toContain(flag);
      expect(run).toContain(flag);
    }
    expect(run).toMatch(/--user 1000 --read-only --tmpfs \/tmp/);
  });

  it('say in the README where docker build works and where it cannot', () => {
    expect(readmeSection).toMatch(/Where a Docker engine can pull `node:24-bookworm-slim`/);
    expect(readmeSection).toMatch(/Without a registry or a Docker engine/);
    expect(readmeSection).toContain('docs/image.md#build-and-run-with-buildah-and-podman-no-docker-engine');
    expect(imageDoc).toContain('## Build and run with buildah and podman (no Docker engine)');
  });
});
