import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Config } from '../app/config.js';
import {
  createAuditLog,
  createAuditRepository,
  ed25519PrivateKey,
  keyIdOf,
  type TenantVerdict,
  verifyTenant,
} from '../modules/audit/index.js';
import { purgeConversations } from '../modules/chat/index.js';
import { SYSTEM_ROLE, tenantSlug } from '../modules/identity/index.js';
import { DataDirLockedError } from '../platform/db/index.js';
import { openAuditClient } from './audit-client.js';
import { CliError } from './cli-error.js';
import { openCliStore } from './identity-client.js';

export interface AuditCommandContext {
  config(): Config;
  out(line: string): void;
}

const slug = (value: string) => {
  const parsed = tenantSlug.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('a tenant slug is lower-case letters, digits or "-".');
  return parsed.data;
};
const isoDate = (value: string) => {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('give an ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z.');
  }
  return date;
};
const tenantOption = () =>
  new Option('-t, --tenant <slug>', 'only this tenant (default: every tenant)').argParser(slug);

/** The key checkpoints are checked with: --public-key, else the one derived from the configured signing key. */
function publicKeyFor(config: Config, file: string | undefined): KeyObject | undefined {
  if (file) {
    try {
      const key = createPublicKey(readFileSync(file, 'utf8'));
      if (key.asymmetricKeyType === 'ed25519') return key;
    } catch {}
    throw new CliError(`--public-key ${file}: not an Ed25519 public key in PEM`, 2);
  }
  const privateKey = config.audit.signingKey ? ed25519PrivateKey(config.audit.signingKey) : undefined;
  return privateKey ? createPublicKey(privateKey) : undefined;
}

function describe(v: TenantVerdict, publicKey: KeyObject | undefined): string {
  if (v.broken) {
    const id = v.broken.id === undefined ? '' : ` (id ${v.broken.id})`;
    return `tenant ${v.tenantId}: BROKEN at seq ${v.broken.seq}${id}, ${v.broken.field}: ${v.broken.message}`;
  }
  const checked =
    v.checkpointsUnchecked > 0
      ? `, ${v.checkpointsUnchecked} not checked (${publicKey ? 'signed by another key' : 'no key: set BERTH_AUDIT_SIGNING_KEY or --public-key'})`
      : '';
  return `tenant ${v.tenantId}: intact, ${v.events} events, ${v.checkpointsVerified} checkpoints verified${checked}`;
}

async function verify(context: AuditCommandContext, options: { tenant?: string; publicKey?: string }) {
  const config = context.config();
  const publicKey = publicKeyFor(config, options.publicKey);
  const client = await openAuditClient(config);
  try {
    const tenants = options.tenant ? [options.tenant] : await client.chains.tenants();
    if (tenants.length === 0) context.out('No audit events are recorded in this store yet.');
    const broken: string[] = [];
    for (const tenantId of tenants) {
      const verdict = await verifyTenant(client.chains, tenantId, publicKey);
      context.out(describe(verdict, publicKey));
      if (verdict.broken) broken.push(`${tenantId} at seq ${verdict.broken.seq}`);
    }
    if (!publicKey)
      context.out('No audit.signingKey is configured: checkpoints are neither written nor checked.');
    else context.out(`Checkpoints checked with key ${keyIdOf(publicKey)}.`);
    if (broken.length > 0) throw new CliError(`the audit chain is broken: ${broken.join(', ')}`, 1);
  } finally {
    await client.close();
  }
}

async function exportEvents(context: AuditCommandContext, options: { since: Date; tenant?: string }) {
  const client = await openAuditClient(context.config());
  try {
    for await (const event of client.exportSince(options.since, options.tenant))
      context.out(JSON.stringify(event));
  } finally {
    await client.close();
  }
}

/** Deletes old conversations and writes one audit event per tenant with the counts, through the same chain. */
async function purge(context: AuditCommandContext, options: { before: Date; tenant?: string }) {
  const config = context.config();
  let store: Awaited<ReturnType<typeof openCliStore>>;
  try {
    store = await openCliStore(config, 'conversations purge');
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    throw new CliError(
      `the data dir is in use by pid ${error.holder.pid}: stop the server first (a purge is not offered over its API)`,
      1,
    );
  }
  try {
    const purged = await purgeConversations(store.db, { before: options.before, tenantId: options.tenant });
    const signingKey = config.audit.signingKey ? ed25519PrivateKey(config.audit.signingKey) : undefined;
    const log = createAuditLog({
      repo: createAuditRepository(store.db),
      checkpointEvery: config.audit.checkpointEvery,
      signingKey,
    });
    for (const p of purged) {
      await log.append({
        ...{
          tenantId: p.tenantId,
          at: new Date(),
          action: 'conversations.purged',
          outcome: 'ok',
          blockedByRule: null,
        },
        ...{
          actorUser: SYSTEM_ROLE,
          actorKey: null,
          resourceType: 'conversation',
          resourceId: null,
          requestId: null,
        },
        ...{ agentVersion: null, configVersion: null, argsHash: null },
        details: {
          before: options.before.toISOString(),
          conversations: p.conversations,
          messages: p.messages,
        },
      });
      context.out(
        `tenant ${p.tenantId}: ${p.conversations} conversations and ${p.messages} messages deleted`,
      );
    }
    if (purged.length === 0)
      context.out(`No conversation was last active before ${options.before.toISOString()}.`);
  } finally {
    await store.close();
  }
}

export function registerAuditCommands(program: Command, context: AuditCommandContext) {
  const audit = program.command('audit').description('verify and export the tamper-evident audit log');
  audit
    .command('verify')
    .description("walk each tenant's chain from seq 1 and name the first broken link (exit 1 when one is)")
    .addOption(tenantOption())
    .option(
      '--public-key <file>',
      'Ed25519 public key (PEM) to check checkpoints with (default: from BERTH_AUDIT_SIGNING_KEY)',
    )
    .action((options: { tenant?: string; publicKey?: string }) => verify(context, options));
  audit
    .command('export')
    .description('write audit events as JSON Lines to stdout')
    .requiredOption('--since <iso>', 'events at or after this time', isoDate)
    .addOption(tenantOption())
    .action((options: { since: Date; tenant?: string }) => exportEvents(context, options));
  const conversations = program.command('conversations').description('manage stored conversations');
  conversations
    .command('purge')
    .description('delete conversations last active before a date (their messages too); audited')
    .requiredOption('--before <date>', 'ISO 8601 date or time', isoDate)
    .addOption(tenantOption())
    .action((options: { before: Date; tenant?: string }) => purge(context, options));
}
