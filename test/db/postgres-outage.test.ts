// Postgres going away under a running Berth: nothing crashes, requests get a retryable 503, and the
// store works again once the server is back. Uses a private Postgres the test may stop (never the shared one).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoreUnavailable, openPostgresStore, queryRows, type Store } from '../../src/platform/db/index.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { postJson } from '../support/http.js';
import {
  type PrivatePostgres,
  privatePostgresSkipReason,
  startPrivatePostgres,
} from '../support/private-postgres.js';

const skip = privatePostgresSkipReason();

describe.skipIf(skip)(`Postgres outage${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pg: PrivatePostgres;
  let store: Store;
  let berth: BerthInstance;
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    store = await openPostgresStore({ url: pg.url, connectTimeoutMs: 1_000 });
    await store.migrate();
    berth = await startBerth({ databaseUrl: pg.url });
  });
  afterAll(async () => {
    await berth?.close().catch(() => {});
    await store?.close().catch(() => {});
    pg?.destroy();
  });

  it('fails a transaction whose connection dies while it holds it, without crashing the process', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The client sits checked out and idle between two statements while the server shuts down: the
    // moment pg emits 'error' on a client the pool is not watching.
    const transaction = store.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT 1`);
      await held;
      await tx.execute(sql`SELECT 2`);
    });
    const outcome = transaction.then(
      () => undefined,
      (error: unknown) => error,
    );
    pg.stop('fast');
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    const error = await outcome;
    expect(error).toBeInstanceOf(Error);
    expect(isStoreUnavailable(error)).toBe(true);

    // While it is down, a request gets 503 store_unavailable, not a 500.
    const reply = await postJson<{ error: { code: string } }>(`${berth.url}/api/tasks`, {
      description: 'Summarize http://127.0.0.1:9/x',
    });
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('store_unavailable');

    pg.start();
    const [row] = await queryRows<{ answer: number }>(store.db, sql`SELECT 42 AS answer`);
    expect(row?.answer).toBe(42);
  });
});
