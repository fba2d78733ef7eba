// First: V8's code cache on disk, then OpenTelemetry (when an OTLP endpoint is set) before anything it
// instruments is loaded.
import './cli/compile-cache.js';
import './instrument.js';

// The rest only once that is done: in the bundle, modules this file imported statically could sit in
// chunks, which are evaluated before the importing file's own code, instrument.js's included.
const { runCli } = await import('./cli/main.js');
runCli(process.argv.slice(2));
