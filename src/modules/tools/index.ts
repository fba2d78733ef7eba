export {
  type BuiltinToolOptions,
  builtinTools,
  type UnavailableTool,
  unavailableBuiltins,
} from './builtin-tools.js';
export {
  createExtractTextTool,
  type ExtractTextOptions,
  type ExtractTextOutput,
} from './extract-text/extract-text.js';
export { type BlockedAddress, checkAddress } from './fetch-url/address-policy.js';
export {
  createFetchUrlTool,
  DEFAULT_FETCH_CONTENT_TYPES,
  type FetchUrlOptions,
  type FetchUrlOutput,
  fetchUserAgent,
} from './fetch-url/fetch-url.js';
export { type GuardedResponse, guardedRequest } from './fetch-url/guarded-request.js';
export {
  type FetchTarget,
  type LookupAll,
  parseAllowList,
  resolveTarget,
  systemLookup,
  type UrlPolicy,
} from './fetch-url/url-guard.js';
export {
  createHttpPostTool,
  type HttpPostOptions,
  type HttpPostOutput,
  httpPostUserAgent,
} from './http-post/http-post.js';
export { invokeTool } from './invoke-tool.js';
export { createModelToolDeps, type ModelAgent, type ModelToolDepsInput } from './model-tool-deps.js';
export {
  createAnswerTool,
  createSummarizeTool,
  type ModelAnswer,
  type ModelToolDeps,
} from './model-tools.js';
export {
  createSendEmailTool,
  messageIdFor,
  type SendEmailOptions,
  type SendEmailOutput,
} from './send-email/send-email.js';
export {
  defineTool,
  type Tool,
  type ToolContext,
  type ToolError,
  type ToolErrorOptions,
  type ToolResult,
  toolError,
  toolFailure,
} from './tool.js';
export { type ToolDescriptor, ToolRegistry } from './tool-registry.js';
export { type ToolsConfig, toolsSection } from './tools.config.js';
