import type { IncomingMessage } from 'node:http';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { type DiagLogger, DiagLogLevel, diag, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import { register as registerImportHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { createLogger } from './logger.js';
import { ATTR_REQUEST_ID } from './tracing-attributes.js';
import { patchBundledModules } from './tracing-bundle.js';
import { type TracingEnv, tracingWanted } from './tracing-env.js';

export interface StartTracingOptions {
  /** `service.name` unless OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
  serviceName: string;
  version: string;
  env: TracingEnv;
}

export interface Tracing {
  /** Exports what is buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

/** Probes are asked every few seconds by every kubelet and Prometheus: a trace each would bury the real ones. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/startupz', '/metrics']);
const pathOf = (url: string | undefined) => (url ?? '').split('?', 1)[0] ?? '';

function namedByOperator(env: TracingEnv): boolean {
  if (env.OTEL_SERVICE_NAME) return true;
  return (env.OTEL_RESOURCE_ATTRIBUTES ?? '')
    .split(',')
    .some((pair) => pair.trim().startsWith('service.name='));
}

function instrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has(pathOf(request.url)),
      // Outgoing calls outside any trace are background chatter (a provider's health, a webhook retry timer).
      requireParentforOutgoingSpans: true,
    }),
    // Fastify publishes its instances on a diagnostics channel, so this works in the bundle too.
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      // One request span and its handler span; a span per hook (auth, rate limit, guards) is noise.
      instrumentHooks: false,
      ignorePaths: ({ url }) => UNTRACED_PATHS.has(pathOf(url)),
      requestHook: (span, request) => {
        span.setAttribute(ATTR_REQUEST_ID, request.id);
        // The HTTP server span is still the active one here: the request id goes on the trace's root too.
        trace.getActiveSpan()?.setAttribute(ATTR_REQUEST_ID, request.id);
      },
    }),
    // Background polls (the outbox relay, the reconciler) would start a trace every half second.
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({
      requireParentSpan: true,
      // The default puts every argument of EVAL/EVALSHA on the span: BullMQ's job data and rate-limit keys.
      dbStatementSerializer: (command, args) => `${command} [${args.length} arguments]`,
    }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
  ];
}

const diagLevels: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/** The SDK's own messages (an unreachable collector, a bad variable) as JSON log lines, warnings and up by default. */
function routeDiagnostics(env: TracingEnv): void {
  const level = diagLevels[env.OTEL_LOG_LEVEL?.trim().toLowerCase() ?? ''] ?? DiagLogLevel.WARN;
  const log = createLogger('trace').child({ component: 'opentelemetry' });
  const logger: DiagLogger = {
    error: (message, ...args) => log.error({ args }, message),
    warn: (message, ...args) => log.warn({ args }, message),
    info: (message, ...args) => log.info({ args }, message),
    debug: (message, ...args) => log.debug({ args }, message),
    verbose: (message, ...args) => log.trace({ args }, message),
  };
  diag.setLogger(logger, { logLevel: level, suppressOverrideMessage: true });
}

/**
 * Starts OpenTelemetry tracing, OTLP export configured by the standard variables, if `tracingWanted`.
 * Must run before the instrumented modules load: main.ts imports src/instrument.ts first.
 * Only traces are exported: metrics stay on /metrics (Prometheus) and logs on stdout.
 */
export function startTracing(options: StartTracingOptions): Tracing | undefined {
  const { env } = options;
  if (!tracingWanted(env)) return undefined;
  // ESM imports are invisible to require hooks: ioredis (imported by BullMQ) needs a loader hook,
  // in this thread, for the modules imported from now on. The bundle has nothing left to import.
  if (supportsSyncHooks()) registerImportHooks({ include: ['ioredis', 'pg', 'pg-pool'] });
  const list = instrumentations();
  const sdk = startNodeSdk({
    logLevel: 'none',
    resourceAttributes: {
      ...(namedByOperator(env) ? {} : { 'service.name': options.serviceName }),
      'service.version': options.version,
    },
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: list,
  });
  routeDiagnostics(env);
  patchBundledModules(list);
  return sdk;
}
