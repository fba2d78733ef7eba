import { describe, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';
import { defineApprovalsApiSuite } from './approvals-api.suite.js';

const skip = await postgresSkipReason();
if (skip) {
  describe.skip(`approvals API on Postgres — skipped: ${skip}`, () => {
    it('needs Postgres', () => {});
  });
} else {
  defineApprovalsApiSuite('Postgres', async () => {
    const database = await createTestDatabase();
    return { databaseUrl: database.url, cleanup: database.drop };
  });
}
