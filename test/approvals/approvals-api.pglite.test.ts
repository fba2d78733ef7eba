import { defineApprovalsApiSuite } from './approvals-api.suite.js';

defineApprovalsApiSuite('PGlite', async () => ({}));
