import { describe, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';
import { defineTasksApiSuite } from './tasks-api.suite.js';

const skip = await postgresSkipReason();
if (skip) {
  describe.skip(`tasks API on Postgres — skipped: ${skip}`, () => {
    it('needs Postgres', () => {});
  });
} else {
  defineTasksApiSuite('Postgres', async () => {
    const database = await createTestDatabase();
    return { databaseUrl: database.url, cleanup: database.drop };
  });
}
