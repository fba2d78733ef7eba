export {
  createActionProposer,
  type ProposalDeps,
  type ProposeAction,
  type ProposedAction,
} from './action-proposals.js';
export { createChatRepository } from './chat.repository.js';
export { chatReplyWire, proposalWire, registerChatRoutes } from './chat.routes.js';
export { type ChatReply, type ChatService, createChatService } from './chat.service.js';
export { conversations, messages } from './chat.tables.js';
export type { ChatEvent, ChatPublisher } from './chat-events.js';
export { type PurgedConversations, purgeConversations } from './conversation-purge.js';
export { registerInferRoutes } from './infer.routes.js';
export { createInferService, type Evidence, type InferReply, type InferService } from './infer.service.js';
export { registerOpenAiRoutes } from './openai.routes.js';
export { type ModelReply, runModel, type ToolEvent } from './run-model.js';
export {
  createToolSession,
  type SessionHooks,
  type ToolCatalog,
  type ToolOutcome,
  type ToolSession,
} from './tool-session.js';
