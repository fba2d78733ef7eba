import { describe, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';
import { defineBudgetsApiSuite } from './budgets-api.suite.js';

const skip = await postgresSkipReason();
if (skip) {
  describe.skip(`cost and budgets through the API on Postgres — skipped: ${skip}`, () => {
    it('needs Postgres', () => {});
  });
} else {
  defineBudgetsApiSuite('Postgres', async () => {
    const database = await createTestDatabase();
    return { databaseUrl: database.url, cleanup: database.drop };
  });
}
