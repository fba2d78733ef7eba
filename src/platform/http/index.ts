export {
  type AccessControl,
  type Actor,
  declaredRoutes,
  markRoutesPublic,
  type Permission,
} from './access.js';
export { errorBody, errorReply, toAppError } from './error-handler.js';
export {
  type CheckOutcome,
  type CheckResult,
  checkResult,
  type HealthRouteDeps,
  type ReadinessCheck,
  registerHealthRoutes,
  runReadinessChecks,
} from './health.routes.js';
export { decodeCursor, encodeCursor, type PagePosition } from './page-cursor.js';
export { REQUEST_ID_HEADER } from './request-id.js';
export type { ResponseFact } from './response-facts.js';
export { createHttpServer, type HttpApp, type HttpServerOptions } from './server.js';
export { type SseStream, startSse, streamChunks, streamSse, wantsEventStream } from './sse.js';
export { registerStaticUi, type StaticUiOptions } from './static-ui.js';
