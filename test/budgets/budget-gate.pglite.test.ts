import { openStore } from '../../src/platform/db/index.js';
import { tempDir } from '../support/berth-instance.js';
import { PGLITE_TEMPLATE } from '../support/paths.js';
import { defineBudgetGateSuite } from './budget-gate.suite.js';

defineBudgetGateSuite('PGlite', async () => {
  const store = await openStore({ dataDir: tempDir(), pgliteTemplatePath: PGLITE_TEMPLATE });
  await store.migrate();
  return { store, close: () => store.close() };
});
