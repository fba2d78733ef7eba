// Imported first by main.ts: OpenTelemetry has to patch http, pg and ioredis before anything loads them.
import { createRequire } from 'node:module';
import { tracingWanted } from './platform/telemetry/tracing-env.js';
import { VERSION } from './version.js';

/** The server commands and the service.name each reports; the other commands are not traced. */
const serviceNames: Record<string, string> = { start: 'berth', api: 'berth-api', worker: 'berth-worker' };

const args = process.argv.slice(2);
// The same default as the CLI: no command means start (help and version have nothing to trace).
const command =
  args.find((arg) => !arg.startsWith('-')) ??
  (args.some((a) => /^-(h|v|-help|-version)$/.test(a)) ? '' : 'start');
const serviceName = serviceNames[command];

if (serviceName && tracingWanted(process.env)) {
  // Loaded only when wanted, and synchronously, so that nothing main.ts imports after this file runs
  // before the patches are in: the SDK takes ~0.5 s to load (~2 s through tsx), a cost every CLI
  // command would pay. The build ships it as its own bundle beside dist/main.js.
  const bundled = !import.meta.url.endsWith('.ts');
  const tracing = createRequire(import.meta.url)(
    bundled ? './tracing.js' : './platform/telemetry/tracing.ts',
  ) as typeof import('./platform/telemetry/tracing.js');
  tracing.startTracing({ serviceName, version: VERSION, env: process.env });
}
