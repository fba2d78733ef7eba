import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';
import type { HttpMetrics, Logger } from '../telemetry/index.js';
import { type AccessControl, registerAccessHook } from './access.js';
import { edgeServerOptions, refuseAtTheEdge } from './edge-errors.js';
import { errorBody, handleError } from './error-handler.js';
import { type RateLimitOptions, registerRateLimits } from './rate-limit.js';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';
import { type ResponseFact, registerResponseFacts } from './response-facts.js';
import { registerStringGuard } from './string-guard.js';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpServerOptions {
  logger: Logger;
  metrics: HttpMetrics;
  access: AccessControl;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  version: string;
  /** Per-actor and per-tenant request limits; none when absent. */
  rateLimit?: RateLimitOptions;
  /** Told of every answered request (the audit trail of writes and denials); must not throw. */
  onResponse?: (fact: ResponseFact) => void;
}

/**
 * The request duration histogram, and one access line per request at `debug`. Fastify's own request
 * logging writes two `info` lines per request (received, completed) on the hot path, which the
 * duration histogram already counts; errors are logged by the error handler whatever the level.
 */
function observeRequests(app: HttpApp, metrics: HttpMetrics) {
  app.addHook('onRequest', async (request, reply) => {
    const started = process.hrtime.bigint();
    // 'finish' fires for ordinary and for hijacked (streamed) replies alike.
    reply.raw.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.raw.statusCode;
      metrics.requestDuration.observe(
        { method: request.method, route, status_code: String(status) },
        seconds,
      );
      request.log.debug(
        { method: request.method, url: request.url, status, ms: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    });
  });
}

export async function createHttpServer(options: HttpServerOptions): Promise<HttpApp> {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    genReqId: requestIdFrom,
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    ...edgeServerOptions(options),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a text/plain body would otherwise reach validation and get a confusing 400 instead of 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(errorBody(error, request.id));
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  observeRequests(app, options.metrics);
  if (options.onResponse) registerResponseFacts(app, options.onResponse);
  refuseAtTheEdge(app, options.requestTimeoutMs);
  registerAccessHook(app, options.access);
  registerStringGuard(app);
  if (options.rateLimit) await registerRateLimits(app, options.rateLimit);

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Berth API', version: options.version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { permission: 'public' } }, async () =>
    app.swagger(),
  );
  return app;
}
