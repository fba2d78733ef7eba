/**
 * What Berth reads of the environment for tracing, before its config exists: the standard OpenTelemetry
 * variables, which the SDK itself reads (OTEL_EXPORTER_OTLP_*, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
 * OTEL_TRACES_SAMPLER, OTEL_BSP_*, …). Berth's own config never sees them (docs/observability.md).
 */
export type TracingEnv = Record<string, string | undefined>;

/** Tracing is off unless an OTLP endpoint is set (and the SDK is not disabled): no endpoint, no cost. */
export function tracingWanted(env: TracingEnv): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return false;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() !== 'none';
}
