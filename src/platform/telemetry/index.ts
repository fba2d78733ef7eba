export { createLogger, type Logger } from './logger.js';
export { createHttpMetrics, createMetricsRegistry, type HttpMetrics, type Registry } from './metrics.js';
export { scrubText } from './scrub.js';
export {
  captureTraceContext,
  contextFrom,
  flushTraces,
  inSpan,
  markFailed,
  type TraceCarrier,
  withTraceContext,
} from './trace-context.js';
export * from './tracing-attributes.js';
