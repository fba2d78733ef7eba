export { type BuiltinToolOptions, builtinTools, unavailableBuiltins } from './builtin-tools.js';
export { checkAddress } from './fetch-url/address-policy.js';
export { fetchUserAgent } from './fetch-url/fetch-url.js';
export { guardedRequest } from './fetch-url/guarded-request.js';
export { type LookupAll, parseAllowList, resolveTarget, systemLookup } from './fetch-url/url-guard.js';
export { createHttpPostTool, httpPostUserAgent } from './http-post/http-post.js';
export { invokeTool } from './invoke-tool.js';
export { createModelToolDeps } from './model-tool-deps.js';
export { createAnswerTool, createSummarizeTool, type ModelToolDeps } from './model-tools.js';
export { messageIdFor } from './send-email/send-email.js';
export {
  defineTool,
  type Tool,
  type ToolContext,
  type ToolError,
  type ToolResult,
  toolError,
  toolFailure,
} from './tool.js';
export { type ToolDescriptor, ToolRegistry } from './tool-registry.js';
export { toolsSection } from './tools.config.js';
