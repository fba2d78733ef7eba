/** W3C Trace Context header: the server's trace of this request continues the browser's. */
export const TRACEPARENT_HEADER = 'traceparent';

const hex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');

/**
 * A new traceparent (version 00, random trace and span ids, sampled) for one user action's request:
 * each API call starts a trace of its own whose root is this browser-side span. No OpenTelemetry SDK
 * in the browser: nothing is exported from here; the id only lets the server's spans link up, and
 * shows up in Jaeger as the parent of the API's root span. All-zero ids are invalid (vanishingly rare).
 */
export function newTraceparent(): string {
  return `00-${hex(16)}-${hex(8)}-01`;
}
