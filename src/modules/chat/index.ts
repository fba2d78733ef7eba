export { createChatRepository } from './chat.repository.js';
export { registerChatRoutes } from './chat.routes.js';
export { type ChatReply, type ChatService, createChatService } from './chat.service.js';
export { registerOpenAiRoutes } from './openai.routes.js';
export { type ModelReply, runModel } from './run-model.js';
