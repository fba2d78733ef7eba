import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../platform/errors.js';
import type { HttpApp } from '../../platform/http/index.js';
import { toAppError } from '../../platform/http/index.js';
import type { CookieWrite } from './session.js';
import { HOME, type SsoService } from './sso.service.js';

export const authConfigView = z.object({
  /** Whether browsers can sign in with an OpenID provider. */
  oidc: z.boolean(),
  /** For the button: "Sign in with …". */
  provider_name: z.string().optional(),
  /** Where the button goes (append `?return_to=<path>`). */
  sign_in_url: z.string().optional(),
});

export interface SsoRouteDeps {
  /** Absent while OIDC is off: only /auth/config is served, saying so. */
  sso?: { service: SsoService; providerName: string };
}

function setCookies(reply: FastifyReply, cookies: CookieWrite[]) {
  for (const { name, value, options } of cookies) reply.setCookie(name, value, options);
  return reply;
}

const jarOf = (request: FastifyRequest) => request.server.parseCookie(request.headers.cookie ?? '');

/** A browser cannot read a JSON error after a redirect chain: it lands on the UI, which shows the message. */
function backToUi(request: FastifyRequest, reply: FastifyReply, sso: SsoService, error: unknown) {
  const failure = toAppError(error as Error);
  const unexpected = isAppError(error) ? {} : { err: error };
  request.log.warn({ ...unexpected, code: failure.code, reason: failure.message }, 'sign-in failed');
  return setCookies(reply, sso.failureCookies(failure.message)).redirect(HOME, 302);
}

/** Sign-in with the OpenID provider (authorization code + PKCE), sign-out, and whether it is on. */
export async function registerSsoRoutes(app: HttpApp, deps: SsoRouteDeps) {
  const { sso } = deps;
  app.route({
    method: 'GET',
    url: '/auth/config',
    config: { permission: 'public' },
    schema: {
      tags: ['auth'],
      description:
        'Whether browsers can sign in with an OpenID provider; the UI asks before anyone signs in.',
      response: { 200: authConfigView },
    },
    handler: async () =>
      sso ? { oidc: true, provider_name: sso.providerName, sign_in_url: '/auth/login' } : { oidc: false },
  });
  if (!sso) return;
  // Without its own hook: the session reader parses cookies itself, in the access hook that runs first.
  await app.register(fastifyCookie, { hook: false });

  app.route({
    method: 'GET',
    url: '/auth/login',
    config: { permission: 'public' },
    schema: {
      tags: ['auth'],
      description:
        'Starts a sign-in: redirects to the identity provider, which sends the browser back to /auth/callback.',
      querystring: z.object({ return_to: z.string().max(2000).optional() }),
    },
    handler: async (request, reply) => {
      try {
        const { location, cookie } = await sso.service.signIn(request.query.return_to);
        return setCookies(reply, [cookie]).redirect(location, 302);
      } catch (error) {
        return backToUi(request, reply, sso.service, error);
      }
    },
  });

  app.route({
    method: 'GET',
    url: '/auth/callback',
    config: { permission: 'public' },
    schema: {
      tags: ['auth'],
      description: "The identity provider's redirect URI: finishes the sign-in and sets the session cookie.",
    },
    handler: async (request, reply) => {
      try {
        const { location, cookies, actor } = await sso.service.callback(request.url, jarOf(request));
        request.log.info({ tenant_id: actor.tenantId, role: actor.role }, 'signed in');
        return setCookies(reply, cookies).redirect(location, 302);
      } catch (error) {
        return backToUi(request, reply, sso.service, error);
      }
    },
  });

  app.route({
    method: 'POST',
    url: '/auth/logout',
    config: { permission: 'public' },
    schema: {
      tags: ['auth'],
      description:
        'Ends the browser session (send the CSRF token in X-CSRF-Token). The identity provider session is left alone.',
    },
    handler: async (request, reply) => {
      const cookies = await sso.service.signOut(request.method, request.headers, jarOf(request));
      return setCookies(reply, cookies).status(204).send();
    },
  });
}
