export { createChatRepository } from './chat.repository.js';
export { registerChatRoutes } from './chat.routes.js';
export { type ChatReply, type ChatService, createChatService } from './chat.service.js';
export { conversations, messages } from './chat.tables.js';
export { registerInferRoutes } from './infer.routes.js';
export { createInferService, type Evidence, type InferReply, type InferService } from './infer.service.js';
export { registerOpenAiRoutes } from './openai.routes.js';
export { type ModelReply, runModel, type ToolEvent } from './run-model.js';
export { createToolSession, type ToolCatalog, type ToolOutcome, type ToolSession } from './tool-session.js';
