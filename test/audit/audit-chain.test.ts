import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  createAuditLog,
  createAuditRepository,
  eventHash,
  GENESIS_HASH,
} from '../../src/modules/audit/index.js';
import { openPostgresStore, type Store } from '../../src/platform/db/index.js';
import { tempDir } from '../support/berth-instance.js';
import { runBerth } from '../support/cli.js';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';

const skip = await postgresSkipReason();
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const SIGNING_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const entry = (tenantId: string, n: number): AuditEntry => ({
  ...{ tenantId, at: new Date(), action: 'test.event', outcome: 'ok', blockedByRule: null },
  ...{ actorUser: `user-${n}`, actorKey: null, resourceType: null, resourceId: null, requestId: `req-${n}` },
  ...{ agentVersion: null, configVersion: null, argsHash: null, details: { n } },
});

describe.skipIf(skip)('the audit chain on Postgres', { timeout: 180_000 }, () => {
  let db: { url: string; drop(): Promise<void> };
  const stores: Store[] = [];
  let sql: pg.Client;
  const cli = (args: string[]) =>
    runBerth(['audit', ...args], { DATABASE_URL: db.url, BERTH_AUDIT_SIGNING_KEY: SIGNING_KEY });

  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 2; i++) {
      const store = await openPostgresStore({ url: db.url });
      stores.push(store);
    }
    await stores[0]?.migrate();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`INSERT INTO tenants (id, name) VALUES ('acme', 'Acme'), ('globex', 'Globex')`);
  });
  afterAll(async () => {
    await sql?.end();
    for (const store of stores) await store.close();
    await db?.drop();
  });

  it('keeps one unbroken chain per tenant under concurrent appends from two processes', async () => {
    // Two stores = two connection pools, as two api replicas would hold.
    const logs = stores.map((store) =>
      createAuditLog({ repo: createAuditRepository(store.db), checkpointEvery: 10, signingKey: privateKey }),
    );
    const appends: Array<Promise<number>> = [];
    for (let n = 0; n < 150; n++) {
      for (const tenant of ['acme', 'globex'])
        appends.push((logs[n % 2] as (typeof logs)[number]).append(entry(tenant, n)));
    }
    const seqs = await Promise.all(appends);
    expect(seqs.length).toBe(300);
    const { rows } = await sql.query<{ tenant_id: string; seqs: string[] }>(
      `SELECT tenant_id, array_agg(seq ORDER BY seq) AS seqs FROM audit_events GROUP BY tenant_id ORDER BY tenant_id`,
    );
    for (const row of rows)
      expect(row.seqs.map(Number)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    const repo = createAuditRepository((stores[0] as Store).db);
    const chain = await repo.list('acme', { limit: 1_000 });
    expect(chain[0]?.prevHash).toBe(GENESIS_HASH);
    for (const [i, row] of chain.entries()) {
      expect(eventHash(row)).toBe(row.hash);
      if (i > 0) expect(row.prevHash).toBe(chain[i - 1]?.hash);
    }
    expect((await repo.checkpoints('acme')).map((c) => c.seq)).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150,
    ]);
  });

  it('verifies intact chains and their checkpoints: exit 0', async () => {
    const result = await cli(['verify']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/tenant acme: intact, 150 events, 15 checkpoints verified/);
    expect(result.stdout).toMatch(/tenant globex: intact, 150 events, 15 checkpoints verified/);
  });

  it('checks checkpoints with --public-key, and leaves them unchecked without any key', async () => {
    const file = join(tempDir(), 'audit.pub');
    writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
    const withFile = await runBerth(['audit', 'verify', '--tenant', 'acme', '--public-key', file], {
      DATABASE_URL: db.url,
    });
    expect(withFile.code).toBe(0);
    expect(withFile.stdout).toMatch(/tenant acme: intact, 150 events, 15 checkpoints verified/);
    expect(withFile.stdout).not.toMatch(/globex/);
    const without = await runBerth(['audit', 'verify', '--tenant', 'acme'], { DATABASE_URL: db.url });
    expect(without.code).toBe(0);
    expect(without.stdout).toMatch(/0 checkpoints verified, 15 not checked \(no key/);
    expect(without.stdout).toMatch(/No audit.signingKey is configured/);
  });

  it('purges old conversations with one audit event per tenant, and the chain still verifies', async () => {
    await sql.query(`INSERT INTO conversations (id, tenant_id, user_id, agent, updated_at) VALUES
      ('00000000-0000-4000-8000-000000000001', 'acme', 'alice', 'default', '2020-01-01'),
      ('00000000-0000-4000-8000-000000000002', 'acme', 'alice', 'default', now())`);
    await sql.query(`INSERT INTO messages (tenant_id, conversation_id, role, content, agent_version, request_id) VALUES
      ('acme', '00000000-0000-4000-8000-000000000001', 'user', 'old words', 'v1', 'r1'),
      ('acme', '00000000-0000-4000-8000-000000000001', 'assistant', 'old reply', 'v1', 'r1')`);
    const purged = await runBerth(['conversations', 'purge', '--before', '2021-01-01'], {
      DATABASE_URL: db.url,
      BERTH_AUDIT_SIGNING_KEY: SIGNING_KEY,
    });
    expect(purged.stderr).toBe('');
    expect(purged.stdout).toContain('tenant acme: 1 conversations and 2 messages deleted');
    const left = await sql.query('SELECT id FROM conversations');
    expect(left.rows.map((r) => r.id)).toEqual(['00000000-0000-4000-8000-000000000002']);
    const { rows } = await sql.query(
      `SELECT seq, details FROM audit_events WHERE action = 'conversations.purged'`,
    );
    expect(rows).toEqual([
      { seq: '151', details: { before: '2021-01-01T00:00:00.000Z', conversations: 1, messages: 2 } },
    ]);
    const verified = await cli(['verify']);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/tenant acme: intact, 151 events/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the app (the trigger)', async () => {
    await expect(sql.query(`UPDATE audit_events SET details = '{}' WHERE seq = 1`)).rejects.toThrow(
      /audit_events is append-only: UPDATE refused/,
    );
    await expect(sql.query('DELETE FROM audit_events WHERE seq = 1')).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(sql.query('TRUNCATE audit_events')).rejects.toThrow(/append-only: TRUNCATE refused/);
  });

  it('names the row a superuser edited behind the trigger: exit 1', async () => {
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM audit_events WHERE tenant_id = 'globex' AND seq = 42`,
    );
    await sql.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await sql.query(
      `UPDATE audit_events SET details = '{"n": 4242}' WHERE tenant_id = 'globex' AND seq = 42`,
    );
    await sql.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    const result = await cli(['verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/tenant acme: intact/);
    expect(result.stdout).toContain(`tenant globex: BROKEN at seq 42 (id ${rows[0]?.id}), hash:`);
    expect(result.stderr).toMatch(/the audit chain is broken: globex at seq 42/);
  });

  it('fails a forged checkpoint', async () => {
    const forger = generateKeyPairSync('ed25519');
    const [real] = (
      await sql.query<{ key_id: string; hash: string }>(
        `SELECT key_id, hash FROM audit_events e JOIN audit_checkpoints c USING (tenant_id, seq, hash) WHERE tenant_id = 'acme' AND seq = 10`,
      )
    ).rows;
    const { rows } = await sql.query<{ hash: string }>(
      `SELECT hash FROM audit_events WHERE tenant_id = 'acme' AND seq = 5`,
    );
    const { sign } = await import('node:crypto');
    const signature = sign(null, Buffer.from(`acme:5:${rows[0]?.hash}`), forger.privateKey).toString(
      'base64',
    );
    await sql.query(
      `INSERT INTO audit_checkpoints (tenant_id, seq, hash, signature, key_id) VALUES ('acme', 5, $1, $2, $3)`,
      [rows[0]?.hash, signature, real?.key_id],
    );
    const result = await cli(['verify', '--tenant', 'acme']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/tenant acme: BROKEN at seq 5, checkpoint: .*forged/);
  });
});
