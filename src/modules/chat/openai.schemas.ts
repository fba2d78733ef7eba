// The wire format lives with the gateway, which answers the same route for model routes.
export {
  type CompletionRequest,
  completionMessage,
  completionRequest,
  completionResponse,
  modelList,
} from '../gateway/index.js';
