import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { openPgliteStore } from './pglite-store.js';
import { extractPgliteTemplate, writePgliteTemplate } from './pglite-template.js';
import { queryRows } from './store.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-pglite-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openPgliteStore', () => {
  it('starts a new data dir from the template with every migration applied, and keeps what is written', async () => {
    const dataDir = join(dir, 'pgdata');
    const store = await openPgliteStore({ dataDir, templatePath: PGLITE_TEMPLATE });
    try {
      expect(await store.pendingMigrations()).toBe(0);
      await store.db.execute(sql`CREATE TABLE kept (v text)`);
      await store.db.execute(sql`INSERT INTO kept VALUES ('written before the restart')`);
    } finally {
      await store.close();
    }
    // The copy was renamed into place: nothing half-made beside it.
    expect(readdirSync(dir)).toEqual(['pgdata']);
    const reopened = await openPgliteStore({ dataDir, templatePath: PGLITE_TEMPLATE });
    try {
      expect(await queryRows<{ v: string }>(reopened.db, sql`SELECT v FROM kept`)).toEqual([
        { v: 'written before the restart' },
      ]);
    } finally {
      await reopened.close();
    }
  });

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

  it('leaves no half data dir when the template is cut short, so the next start unpacks it again', async () => {
    const cut = join(dir, 'cut.tar.gz');
    const whole = readFileSync(PGLITE_TEMPLATE);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const dataDir = join(dir, 'pgdata');
    await expect(openPgliteStore({ dataDir, templatePath: cut })).rejects.toThrow();
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
    expect(readdirSync(dir)).toEqual(['cut.tar.gz']);
    const store = await openPgliteStore({ dataDir, templatePath: PGLITE_TEMPLATE });
    try {
      expect(await store.pendingMigrations()).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('writePgliteTemplate', () => {
  it('writes a data dir that holds the one database Berth uses, migrated', async () => {
    const template = join(dir, 'template.tar.gz');
    await writePgliteTemplate(template);
    const store = await openPgliteStore({ dataDir: join(dir, 'pgdata'), templatePath: template });
    try {
      expect(await queryRows(store.db, sql`SELECT datname FROM pg_database`)).toEqual([
        { datname: 'postgres' },
      ]);
      expect(await store.pendingMigrations()).toBe(0);
    } finally {
      await store.close();
    }
  });
});

describe('extractPgliteTemplate', () => {
  it('refuses a data dir that already holds files', async () => {
    const dataDir = join(dir, 'pgdata');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n');
    await expect(extractPgliteTemplate(PGLITE_TEMPLATE, dataDir)).rejects.toThrow(/ENOTEMPTY|EEXIST/);
    expect(readdirSync(dataDir)).toEqual(['PG_VERSION']);
    expect(readdirSync(dir)).toEqual(['pgdata']);
  });
});
