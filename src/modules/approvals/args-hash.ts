import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * SHA-256 (hex) of the RFC 8785 canonical JSON of a tool call's resolved arguments: the same
 * arguments give the same hash whatever their key order, so an approval binds values, not spelling.
 */
export function argsHash(args: unknown): string {
  // canonicalize returns undefined only for undefined itself (no arguments at all).
  const canonical = canonicalize(args ?? null) ?? 'null';
  return createHash('sha256').update(canonical).digest('hex');
}
