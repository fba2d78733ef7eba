import { type DeployIssue, issue } from './deploy-issues.js';

/** The image the base names; overlays map it to the one to run. */
export const BASE_IMAGE = 'ghcr.io/berth-dev/berth';

export interface ImageRef {
  name: string;
  tag?: string;
  /** sha256:… — pins the exact image. */
  digest?: string;
}

/** name[:tag][@sha256:digest]; at least a tag or a digest, never "latest". */
export function parseImage(ref: string, key: string): ImageRef | DeployIssue {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    return issue(key, `"${ref}": a digest is sha256: and 64 hex digits`);
  }
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : undefined;
  if (!/^[a-z0-9]+([._/-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(name)) {
    return issue(key, `"${ref}" is not an image reference (registry/name:tag or registry/name@sha256:…)`);
  }
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag))
    return issue(key, `"${ref}": "${tag}" is not a tag`);
  if (!tag && !digest) return issue(key, `"${ref}" needs a tag or a digest: an untagged image is "latest"`);
  if (tag === 'latest' && !digest)
    return issue(key, `"${ref}": "latest" moves; give a version tag or a digest`);
  return { name, tag, digest };
}
