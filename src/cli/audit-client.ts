import { z } from 'zod';
import type { Config } from '../app/config.js';
import {
  type AuditEventView,
  auditEventView,
  type ChainSource,
  chainView,
  createAuditRepository,
  eventFromWire,
  eventWire,
} from '../modules/audit/index.js';
import { tenantView } from '../modules/identity/index.js';
import { openCliStore, openStoreOrServer, serverCaller } from './identity-client.js';

/** What `berth audit` reads, the same whether the CLI opens the store or asks the running server. */
export interface AuditClient {
  readonly via: { kind: 'pglite' | 'postgres' } | { kind: 'server'; url: string; pid: number };
  chains: ChainSource;
  /** Events at or after `since`, tenant by tenant in chain order. */
  exportSince(since: Date, tenantId?: string): AsyncIterable<AuditEventView>;
  close(): Promise<void>;
}

const PAGE = 1_000;

async function* exported(
  chains: ChainSource,
  page: (tenantId: string, afterSeq: number) => Promise<AuditEventView[]>,
  tenantId?: string,
) {
  for (const tenant of tenantId ? [tenantId] : await chains.tenants()) {
    let afterSeq = 0;
    for (;;) {
      const events = await page(tenant, afterSeq);
      yield* events;
      if (events.length < PAGE) break;
      afterSeq = events.at(-1)?.seq ?? afterSeq;
    }
  }
}

async function openDirect(config: Config): Promise<AuditClient> {
  const store = await openCliStore(config, 'audit');
  const repo = createAuditRepository(store.db);
  const chains: ChainSource = {
    tenants: () => repo.chainedTenants(),
    events: (tenantId, afterSeq, limit) => repo.list(tenantId, { afterSeq, limit }),
    head: async (tenantId) => repo.head(tenantId),
    checkpoints: (tenantId) => repo.checkpoints(tenantId),
  };
  return {
    via: { kind: store.kind },
    chains,
    exportSince: (since, tenantId) =>
      exported(
        chains,
        async (t, afterSeq) => (await repo.list(t, { since, afterSeq, limit: PAGE })).map(eventWire),
        tenantId,
      ),
    close: () => store.close(),
  };
}

function viaServer(server: { url: string; token: string; pid: number }): AuditClient {
  const call = serverCaller(server);
  const page = z.object({ events: z.array(auditEventView), next_cursor: z.string().nullable() });
  const events = (tenantId: string, afterSeq: number, limit: number, since?: Date) => {
    const query = new URLSearchParams({
      tenant_id: tenantId,
      cursor: String(afterSeq),
      limit: String(limit),
    });
    if (since) query.set('since', since.toISOString());
    return call(page, 'GET', `/api/audit?${query}`);
  };
  const chain = (tenantId: string) =>
    call(chainView, 'GET', `/api/audit/chain?${new URLSearchParams({ tenant_id: tenantId })}`);
  const chains: ChainSource = {
    // Every tenant the operator sees; those without a chain have an empty one.
    tenants: async () =>
      (await call(z.object({ tenants: z.array(tenantView) }), 'GET', '/api/tenants')).tenants.map(
        (t) => t.id,
      ),
    events: async (tenantId, afterSeq, limit) =>
      (await events(tenantId, afterSeq, limit)).events.map(eventFromWire),
    head: async (tenantId) => (await chain(tenantId)).head ?? undefined,
    checkpoints: async (tenantId) =>
      (await chain(tenantId)).checkpoints.map((c) => ({
        tenantId: c.tenant_id,
        seq: c.seq,
        hash: c.hash,
        signature: c.signature,
        keyId: c.key_id,
      })),
  };
  return {
    via: { kind: 'server', url: server.url, pid: server.pid },
    chains,
    exportSince: (since, tenantId) =>
      exported(chains, async (t, afterSeq) => (await events(t, afterSeq, PAGE, since)).events, tenantId),
    close: async () => {},
  };
}

/** The store directly, or the server holding the embedded data dir (as `berth keys` does). */
export const openAuditClient = (config: Config): Promise<AuditClient> =>
  openStoreOrServer(config, { direct: () => openDirect(config), server: viaServer });
