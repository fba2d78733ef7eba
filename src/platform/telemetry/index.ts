export { createLogger, type LogFormat, type Logger } from './logger.js';
export { createHttpMetrics, createMetricsRegistry, type HttpMetrics, type Registry } from './metrics.js';
