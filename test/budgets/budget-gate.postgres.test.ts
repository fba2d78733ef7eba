import { describe, it } from 'vitest';
import { openStore } from '../../src/platform/db/index.js';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';
import { defineBudgetGateSuite } from './budget-gate.suite.js';

const skip = await postgresSkipReason();
if (skip) {
  describe.skip(`budget gate on Postgres — skipped: ${skip}`, () => {
    it('needs Postgres', () => {});
  });
} else {
  defineBudgetGateSuite('Postgres', async () => {
    const database = await createTestDatabase();
    const store = await openStore({ databaseUrl: database.url, dataDir: '' });
    await store.migrate();
    return {
      store,
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
}
