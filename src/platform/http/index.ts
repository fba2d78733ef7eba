export { type AccessControl, type Actor, declaredRoutes } from './access.js';
export { errorReply, toAppError } from './error-handler.js';
export {
  type CheckOutcome,
  type CheckResult,
  checkResult,
  type ReadinessCheck,
  registerHealthRoutes,
  runReadinessChecks,
} from './health.routes.js';
export { decodeCursor, encodeCursor } from './page-cursor.js';
export type { ResponseFact } from './response-facts.js';
export { createHttpServer, type HttpApp } from './server.js';
export { type SseStream, startSse, streamChunks, streamSse, wantsEventStream } from './sse.js';
export { registerStaticUi } from './static-ui.js';
