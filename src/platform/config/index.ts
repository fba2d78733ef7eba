export {
  checkPlatformConfig,
  type LlmConfig,
  type PlatformConfig,
  platformSections,
  providerNames,
} from './config.schema.js';
export type { ConfigCheck, ConfigIssue } from './config-errors.js';
export { envMap } from './env-map.js';
export { flag, hostPortList, httpUrl, positiveInt } from './fields.js';
export { ConfigError, isLoopbackHost, type LoadConfigInput, loadConfigWith } from './load-config.js';
