// A transaction whose BEGIN fails must give its connection back: drizzle-orm's own pooled transaction()
// leaks it (drizzle-team/drizzle-orm#6241), which after a few Postgres hiccups leaves every request
// waiting on an empty pool. A loopback proxy in front of the machine's Postgres cuts a connection the
// moment it carries a BEGIN; the shared server itself is never disturbed.
import { connect, createServer, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, queryRows, type Store } from '../../src/platform/db/index.js';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';

const skip = await postgresSkipReason();

/** Forwards to Postgres; while `cutNextBegin` is set, the next connection that sends BEGIN is cut. */
async function startCuttingProxy(target: URL) {
  const state = { cutNextBegin: false, cuts: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const backend = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(backend);
    const close = () => {
      client.destroy();
      backend.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (state.cutNextBegin && /\bbegin\b/i.test(chunk.toString('latin1'))) {
        state.cutNextBegin = false;
        state.cuts++;
        close();
        return;
      }
      backend.write(chunk);
    });
    backend.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('error', close).on('close', close);
    backend.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(skip)(`Postgres transactions${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof startCuttingProxy>>;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await startCuttingProxy(new URL(database.url));
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // One connection: a single leaked client would starve every later query.
    store = await openPostgresStore({ url: viaProxy.toString(), maxConnections: 1, connectTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('gives the connection back when BEGIN fails, so the next transaction runs', async () => {
    proxy.state.cutNextBegin = true;
    await expect(store.db.transaction(async (tx) => tx.execute(sql`SELECT 1`))).rejects.toThrow();
    expect(proxy.state.cuts).toBe(1);

    const answer = await store.db.transaction(async (tx) => queryRows<{ n: number }>(tx, sql`SELECT 7 AS n`));
    expect(answer).toEqual([{ n: 7 }]);
  });

  it('still commits and rolls back as a transaction', async () => {
    await store.db.execute(sql`CREATE TABLE IF NOT EXISTS tx_probe (n int)`);
    await store.db.transaction(async (tx) => tx.execute(sql`INSERT INTO tx_probe VALUES (1)`));
    await expect(
      store.db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO tx_probe VALUES (2)`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await queryRows<{ n: number }>(store.db, sql`SELECT n FROM tx_probe ORDER BY n`)).toEqual([
      { n: 1 },
    ]);
  });
});
