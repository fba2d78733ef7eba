import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The prev_hash of a chain's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every field of an event that its hash covers: all of the row but its id and its own hash. */
export interface ChainedFields {
  tenantId: string;
  seq: number;
  at: Date;
  action: string;
  outcome: 'ok' | 'denied' | 'blocked';
  blockedByRule: string | null;
  actorUser: string | null;
  actorKey: string | null;
  resourceType: string | null;
  resourceId: string | null;
  requestId: string | null;
  agentVersion: string | null;
  configVersion: string | null;
  argsHash: string | null;
  details: Record<string, unknown> | null;
  prevHash: string;
}

/** The object whose canonical JSON (RFC 8785) is hashed; snake_case, as export writes it. */
export const hashedObject = (e: ChainedFields) => ({
  tenant_id: e.tenantId,
  seq: e.seq,
  at: e.at.toISOString(),
  action: e.action,
  outcome: e.outcome,
  blocked_by_rule: e.blockedByRule,
  actor_user: e.actorUser,
  actor_key: e.actorKey,
  resource_type: e.resourceType,
  resource_id: e.resourceId,
  request_id: e.requestId,
  agent_version: e.agentVersion,
  config_version: e.configVersion,
  args_hash: e.argsHash,
  details: e.details,
  prev_hash: e.prevHash,
});

/** SHA-256 (hex) of the canonical JSON of the event's fields and its prev_hash. */
export function eventHash(fields: ChainedFields): string {
  const text = canonicalize(hashedObject(fields));
  if (text === undefined) throw new Error('an audit event cannot be canonicalized');
  return createHash('sha256').update(text).digest('hex');
}

/** What a checkpoint signs: a tenant's chain reached `seq` with `hash`. */
const statement = (tenantId: string, seq: number, hash: string) => Buffer.from(`${tenantId}:${seq}:${hash}`);

/** SHA-256 (hex, first 16) of the public key's SPKI DER, so checkpoints of a rotated key can be told apart. */
export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);

export interface CheckpointSigner {
  keyId: string;
  publicKey: KeyObject;
  sign(tenantId: string, seq: number, hash: string): string;
}

export function createCheckpointSigner(privateKey: KeyObject): CheckpointSigner {
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    // Ed25519 takes no digest: the algorithm argument is null.
    sign: (tenantId, seq, hash) => sign(null, statement(tenantId, seq, hash), privateKey).toString('base64'),
  };
}

export function checkpointSignatureValid(
  publicKey: KeyObject,
  checkpoint: { tenantId: string; seq: number; hash: string; signature: string },
): boolean {
  try {
    const { tenantId, seq, hash, signature } = checkpoint;
    return verify(null, statement(tenantId, seq, hash), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
