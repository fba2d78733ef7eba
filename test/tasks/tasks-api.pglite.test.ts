import { defineTasksApiSuite } from './tasks-api.suite.js';

defineTasksApiSuite('PGlite', async () => ({}));
