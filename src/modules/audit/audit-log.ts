import type { KeyObject } from 'node:crypto';
import { createGroupCommit } from '../../platform/db/index.js';
import type { AuditEntry, AuditRepository } from './audit.repository.js';
import { createCheckpointSigner } from './audit-hash.js';

/**
 * Appends run after the fact, on the bus: nobody's answer waits for them, so an idle log waits this
 * long for company. Without it each request's events (its http.write, its chat.turn) found the log
 * idle and took a transaction each, three of them per chat turn with the turn's own.
 */
const APPEND_LINGER_MS = 10;

export interface AuditLogOptions {
  repo: AuditRepository;
  /** A signed checkpoint every this many events of a tenant. */
  checkpointEvery: number;
  /** Signs checkpoints; without it none are written. */
  signingKey?: KeyObject;
  /** Stamped on every event that carries none: the configuration that was running. */
  configVersion?: string;
}

/**
 * The one way events enter a tenant's chain. Appends that arrive while a transaction is in flight,
 * or within APPEND_LINGER_MS of an idle log's first one, share one transaction (group commit): N
 * events cost one commit and one head lock per tenant, not N. Each caller resolves with its event's
 * seq once it is committed.
 */
export function createAuditLog(options: AuditLogOptions) {
  const signer = options.signingKey ? createCheckpointSigner(options.signingKey) : undefined;
  const chainOptions = { checkpointEvery: options.checkpointEvery, signer };
  const commit = createGroupCommit((entries: AuditEntry[]) => options.repo.append(entries, chainOptions), {
    maxBatch: 256,
    lingerMs: APPEND_LINGER_MS,
  });
  return {
    append: (entry: AuditEntry): Promise<number> =>
      commit.submit({ ...entry, configVersion: entry.configVersion ?? options.configVersion ?? null }),
    /** The key id checkpoints are signed with, if any. */
    keyId: signer?.keyId,
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
