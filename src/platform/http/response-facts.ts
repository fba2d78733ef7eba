import type { FastifyRequest } from 'fastify';
import type { Actor } from './access.js';
import { refusalOf } from './error-handler.js';
import type { HttpApp } from './server.js';

/** What the edge saw of one answered request: enough for an audit trail, nothing of its content. */
export interface ResponseFact {
  method: string;
  /** The matched route's pattern (`/api/tasks/:id`), never the raw URL; undefined when no route matched. */
  route?: string;
  status: number;
  /** The error code of a refused request. */
  code?: string;
  /** Refused for its size: 413, or a length limit of the body (400). */
  oversized: boolean;
  /** Who called, once the access hook knew (also on a 403; never on a 401). */
  actor?: Actor;
  requestId: string;
}

function factOf(request: FastifyRequest, status: number): ResponseFact {
  const refusal = refusalOf(request);
  return {
    method: request.method,
    route: request.routeOptions.url,
    status,
    code: refusal?.code,
    oversized: refusal?.oversized ?? false,
    actor: request.actor as Actor | undefined,
    requestId: request.id,
  };
}

/**
 * Calls `listener` once for every answered request, streamed ones too ('finish' fires for hijacked
 * replies, where onResponse does not). The listener decides what matters; it must not throw.
 */
export function registerResponseFacts(app: HttpApp, listener: (fact: ResponseFact) => void): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.raw.once('finish', () => listener(factOf(request, reply.raw.statusCode)));
  });
}
