import { describe, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';
import { defineChatApiSuite } from './chat-api.suite.js';

const skip = await postgresSkipReason();
if (skip) {
  describe.skip(`chat API on Postgres — skipped: ${skip}`, () => {
    it('needs Postgres', () => {});
  });
} else {
  defineChatApiSuite('Postgres', async () => {
    const database = await createTestDatabase();
    return { databaseUrl: database.url, cleanup: database.drop };
  });
}
