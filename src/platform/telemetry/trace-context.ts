import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/** A trace context as W3C headers (`traceparent`, `tracestate`): what is stored with work that runs later. */
export type TraceCarrier = Record<string, string>;

/** The active trace context as headers, or undefined outside a trace (and always when tracing is off). */
export function captureTraceContext(): TraceCarrier | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** The context a stored carrier names; the root context (a new trace) without one. */
export function contextFrom(carrier: TraceCarrier | null | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

/** Runs `work` in the context a stored carrier names (a new trace without one). */
export function withTraceContext<T>(carrier: TraceCarrier | null | undefined, work: () => T): T {
  return context.with(contextFrom(carrier), work);
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; default: the active context. */
  parent?: Context;
}

/**
 * Runs `work` in a new active span of Berth's tracer and ends it; a throw marks the span failed
 * (its message, no stack) and is rethrown. With tracing off the span is a no-op.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer('berth')
    .startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed: `error.type` from an AppError's or ToolError's code, else the error's name. */
export function markFailed(span: Span, error: unknown, type?: string): void {
  const code = (error as { code?: unknown } | null)?.code;
  span.setAttribute(
    'error.type',
    type ?? (typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown'),
  );
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Exports the spans still buffered: the last ones of a process about to exit, which the SDK's batch
 * processor would otherwise lose. A no-op when tracing is off.
 */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.();
}
