import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { positiveInt } from '../../platform/config/index.js';

/** Reads an Ed25519 private key in PEM; undefined when the text is not one (the config check says why). */
export function ed25519PrivateKey(pem: string) {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The `audit` section of berth.yaml. */
export const auditSection = z
  .strictObject({
    /** A signed checkpoint every this many events of a tenant. Default 100. */
    checkpointEvery: positiveInt.max(1_000_000).default(100),
    /**
     * Ed25519 private key (PEM, `openssl genpkey -algorithm ed25519`) that signs checkpoints.
     * Without it no checkpoint is written, and `berth audit verify` says so. Default none.
     */
    signingKey: z
      .string()
      .optional()
      .refine((pem) => pem === undefined || ed25519PrivateKey(pem) !== undefined, {
        message: 'is not an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519)',
      }),
  })
  .prefault({});
export type AuditConfig = z.output<typeof auditSection>;
