export type { AgentConfig, Config, LlmConfig } from './config.schema.js';
export { agentSchema, DEFAULT_SYSTEM_PROMPT } from './config.schema.js';
export { envMap } from './env-map.js';
export { ConfigError, isLoopbackHost, loadConfig } from './load-config.js';
