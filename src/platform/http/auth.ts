import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export interface Principal {
  tenantId: string;
  /** The key used, or undefined when auth is not required. */
  keyId?: string;
}

/** Supplied by the auth module; platform only knows how to ask. */
export interface Authenticator {
  /** True when requests must carry a key (some key exists and auth is not off). */
  required(): Promise<boolean>;
  /** The principal for a presented key, or undefined when the key is unknown or revoked. */
  verify(key: string): Promise<Principal | undefined>;
  /** The principal of unauthenticated requests when keys are not required. */
  anonymous(): Principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const protectedPrefixes = ['/api/', '/v1/'];

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function authHook(authenticator: Authenticator) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!protectedPrefixes.some((prefix) => path.startsWith(prefix))) {
      request.principal = authenticator.anonymous();
      return;
    }
    if (!(await authenticator.required())) {
      request.principal = authenticator.anonymous();
      return;
    }
    const token = bearerToken(request);
    if (!token) {
      throw new AppError('unauthorized', 'Missing API key: send "Authorization: Bearer <key>"');
    }
    const principal = await authenticator.verify(token);
    if (!principal) throw new AppError('unauthorized', 'Invalid or revoked API key');
    request.principal = principal;
  };
}
