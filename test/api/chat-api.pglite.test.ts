import { defineChatApiSuite } from './chat-api.suite.js';

defineChatApiSuite('PGlite', async () => ({}));
