import { describe, it } from 'vitest';
import { openTestPostgresStore, postgresSkipReason } from '../support/services.js';
import { defineBudgetGateSuite } from './budget-gate.suite.js';

const skip = await postgresSkipReason();
if (skip) {
  describe.skip(`budget gate on Postgres — skipped: ${skip}`, () => {
    it('needs Postgres', () => {});
  });
} else {
  defineBudgetGateSuite('Postgres', openTestPostgresStore);
}
