export type { AgentConfig, Config, LlmConfig } from './config.schema.js';
export { agentSchema, DEFAULT_SYSTEM_PROMPT } from './config.schema.js';
export type { ConfigCheck, ConfigIssue } from './config-errors.js';
export type { DeployConfig, DeployEnvironment, DeployEnvironmentName } from './deploy.schema.js';
export { envMap } from './env-map.js';
export { ConfigError, isLoopbackHost, loadConfig } from './load-config.js';
