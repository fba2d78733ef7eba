import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { openPgliteStore } from './pglite-store.js';
import { queryRows } from './store.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-pglite-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openPgliteStore', () => {
  it("runs with shared memory sized for its one backend, not Postgres' server defaults", async () => {
    const store = await openPgliteStore({ dataDir: join(dir, 'pgdata'), templatePath: PGLITE_TEMPLATE });
    try {
      const rows = await queryRows<{ name: string; setting: string }>(
        store.db,
        sql`SELECT name, current_setting(name) AS setting FROM unnest(array['shared_buffers', 'max_connections']) AS name`,
      );
      expect(rows).toEqual([
        { name: 'shared_buffers', setting: '32MB' },
        { name: 'max_connections', setting: '5' },
      ]);
    } finally {
      await store.close();
    }
  });
});
