import { defineBudgetsApiSuite } from './budgets-api.suite.js';

defineBudgetsApiSuite('PGlite', async () => ({}));
