import type { KeyObject } from 'node:crypto';
import {
  type ChainedFields,
  checkpointSignatureValid,
  eventHash,
  GENESIS_HASH,
  keyIdOf,
} from './audit-hash.js';

export type ChainedRow = ChainedFields & { id: number; hash: string };
export interface CheckpointRow {
  tenantId: string;
  seq: number;
  hash: string;
  signature: string;
  keyId: string;
}

/** Where verify reads chains from: the store, or a running server's API. */
export interface ChainSource {
  tenants(): Promise<string[]>;
  /** Events after `afterSeq` in seq order, at most `limit`. */
  events(tenantId: string, afterSeq: number, limit: number): Promise<ChainedRow[]>;
  head(tenantId: string): Promise<{ seq: number; hash: string } | undefined>;
  checkpoints(tenantId: string): Promise<CheckpointRow[]>;
}

export interface BrokenLink {
  seq: number;
  /** The row's id, when a row is there. */
  id?: number;
  /** What does not hold: `hash` (the row's fields were changed), `prev_hash`, `seq`, `head`, `checkpoint`. */
  field: 'hash' | 'prev_hash' | 'seq' | 'head' | 'checkpoint';
  message: string;
}

export interface TenantVerdict {
  tenantId: string;
  events: number;
  checkpointsVerified: number;
  /** Checkpoints whose signature could not be checked: no public key, or another key's. */
  checkpointsUnchecked: number;
  broken?: BrokenLink;
}

const PAGE = 1_000;

/** Why a row breaks the chain at `expected` after `prev`, or undefined when it holds. */
function linkProblem(
  row: ChainedRow,
  expected: number,
  prev: string,
): Omit<BrokenLink, 'seq' | 'id'> | undefined {
  if (row.seq !== expected)
    return { field: 'seq', message: `event ${expected} is missing (the next is ${row.seq})` };
  if (row.prevHash !== prev) {
    return { field: 'prev_hash', message: `prev_hash does not match the hash of event ${expected - 1}` };
  }
  if (eventHash(row) !== row.hash) {
    return { field: 'hash', message: 'its fields do not hash to its stored hash: the row was changed' };
  }
  return undefined;
}

/** The first link of the chain that does not hold, reading it page by page. */
async function walk(source: ChainSource, tenantId: string, wanted: Set<number>) {
  const hashes = new Map<number, string>();
  let expected = 1;
  let prev = GENESIS_HASH;
  for (;;) {
    const page = await source.events(tenantId, expected - 1, PAGE);
    for (const row of page) {
      const problem = linkProblem(row, expected, prev);
      if (problem) return { count: expected - 1, hashes, broken: { seq: expected, id: row.id, ...problem } };
      if (wanted.has(row.seq)) hashes.set(row.seq, row.hash);
      prev = row.hash;
      expected++;
    }
    if (page.length < PAGE) return { count: expected - 1, hashes, last: prev };
  }
}

function checkCheckpoints(checkpoints: CheckpointRow[], hashes: Map<number, string>, publicKey?: KeyObject) {
  const keyId = publicKey ? keyIdOf(publicKey) : undefined;
  let verified = 0;
  let unchecked = 0;
  for (const cp of checkpoints) {
    const at = hashes.get(cp.seq);
    if (at !== undefined && at !== cp.hash) {
      return {
        verified,
        unchecked,
        broken: {
          seq: cp.seq,
          field: 'checkpoint' as const,
          message: `the checkpoint at ${cp.seq} signed another hash than the chain's: the chain was rewritten`,
        },
      };
    }
    if (!publicKey || cp.keyId !== keyId) {
      unchecked++;
      continue;
    }
    if (!checkpointSignatureValid(publicKey, cp)) {
      return {
        verified,
        unchecked,
        broken: {
          seq: cp.seq,
          field: 'checkpoint' as const,
          message: `the checkpoint at ${cp.seq} has a signature that does not verify: it is forged`,
        },
      };
    }
    verified++;
  }
  return { verified, unchecked };
}

/** Walks a tenant's chain from seq 1: hashes, prev links, the head, and the signed checkpoints. */
export async function verifyTenant(
  source: ChainSource,
  tenantId: string,
  publicKey?: KeyObject,
): Promise<TenantVerdict> {
  const checkpoints = await source.checkpoints(tenantId);
  const chain = await walk(source, tenantId, new Set(checkpoints.map((c) => c.seq)));
  const verdict: TenantVerdict = {
    tenantId,
    events: chain.count,
    checkpointsVerified: 0,
    checkpointsUnchecked: 0,
  };
  if (chain.broken) return { ...verdict, broken: chain.broken };
  const head = await source.head(tenantId);
  if (head && (head.seq !== chain.count || (head.seq > 0 && head.hash !== chain.last))) {
    return {
      ...verdict,
      broken: {
        seq: chain.count + 1,
        field: 'head',
        message: `the chain ends at ${chain.count}, but its head says ${head.seq}: events were removed from its end`,
      },
    };
  }
  for (const cp of checkpoints) {
    if (cp.seq > chain.count) {
      return {
        ...verdict,
        broken: {
          seq: cp.seq,
          field: 'checkpoint',
          message: `a checkpoint names event ${cp.seq}, past the chain's end (${chain.count})`,
        },
      };
    }
  }
  const checked = checkCheckpoints(checkpoints, chain.hashes, publicKey);
  return {
    ...verdict,
    checkpointsVerified: checked.verified,
    checkpointsUnchecked: checked.unchecked,
    ...(checked.broken ? { broken: checked.broken } : {}),
  };
}
