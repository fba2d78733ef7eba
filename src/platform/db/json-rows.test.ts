import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { openStore } from './open-store.js';
import { jsonRows, queryRows, type Store } from './store.js';

describe('jsonRows', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://', pgliteTemplatePath: PGLITE_TEMPLATE });
  });
  afterAll(() => store?.close());

  const roundTrip = (rows: object[]) =>
    queryRows<{ n: number; t: string | null; j: unknown }>(
      store.db,
      sql`SELECT * FROM jsonb_to_recordset(${jsonRows(rows)}) AS r(n int, t text, j jsonb) ORDER BY n`,
    );

  it('carries any number of rows, quotes, backslashes, nulls and nested JSON as given', async () => {
    const tricky = `"q" \\ {"x": [1]} 'single' é 漢字 🚢\n\t`;
    expect(
      await roundTrip([
        { n: 2, t: tricky, j: { deep: { s: tricky } } },
        { n: 1, t: null, j: null },
      ]),
    ).toEqual([
      { n: 1, t: null, j: null },
      { n: 2, t: tricky, j: { deep: { s: tricky } } },
    ]);
    expect(await roundTrip([])).toEqual([]);
  });

  it('stores a lone surrogate as U+FFFD, in a column and deep in a jsonb value, where Postgres would refuse the batch', async () => {
    const [row] = await roundTrip([{ n: 1, t: 'half \ud83d ship', j: { a: ['x\udc00'] } }]);
    expect(row).toEqual({ n: 1, t: 'half \ufffd ship', j: { a: ['x\ufffd'] } });
    await expect(
      queryRows(
        store.db,
        sql`SELECT * FROM jsonb_to_recordset(${JSON.stringify([{ t: '\ud83d' }])}::jsonb) AS r(t text)`,
      ),
    ).rejects.toThrow();
  });
});
