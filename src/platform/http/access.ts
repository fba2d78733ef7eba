import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { HttpApp } from './server.js';

/** Who is calling. The identity module fills it in from the credential; platform treats `role` as opaque. */
export interface Actor {
  tenantId: string;
  userId: string;
  role: string;
  /** How the caller proved who it is. */
  via: 'key' | 'token' | 'session' | 'local' | 'anonymous';
  /** The API key used, when `via` is key. */
  keyId?: string;
}

/** What a route needs: `public`, or a permission of the identity module's policy (e.g. `tasks:create`). */
export type Permission = string;

/** Supplied by the identity module; platform only asks it. */
export interface AccessControl {
  /**
   * The actor behind the request's credential (API key, bearer token, session cookie), or the
   * anonymous actor when none is presented and none is required. Throws AppError `unauthorized`.
   */
  authenticate(request: FastifyRequest): Promise<Actor>;
  /** Whether the actor's role grants the permission for some resource (ownership is checked by services). */
  allows(actor: Actor, permission: Permission): boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route: the start-up check refuses a route without one. */
    permission?: Permission;
  }
  interface FastifyRequest {
    /** Set on every route that is not `public`. */
    actor: Actor;
  }
}

interface RouteEntry {
  method: string | string[];
  url: string;
  config?: { permission?: Permission };
}
const routeTables = new WeakMap<object, RouteEntry[]>();

/** Every route with the permission it declares (tests generate their access cases from it). */
export function declaredRoutes(app: HttpApp): Array<{ method: string; url: string; permission: Permission }> {
  return (routeTables.get(app) ?? []).flatMap((route) =>
    [route.method]
      .flat()
      .map((method) => ({ method, url: route.url, permission: route.config?.permission ?? '' })),
  );
}

/**
 * The one access hook. It decides on the route the router matched — never on the raw URL, which a
 * router decodes and normalises (`/%61pi/…` is `/api/…`) — from the permission the route declares.
 */
export function registerAccessHook(app: HttpApp, access: AccessControl) {
  // Checked once all routes exist: a plugin's own onRoute hook may still fill the permission in.
  const routes: RouteEntry[] = [];
  routeTables.set(app, routes);
  app.decorateRequest('actor');
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.addHook('onReady', async () => {
    const undeclared = routes
      .filter((r) => r.config?.permission === undefined)
      .map((r) => `${r.method} ${r.url}`);
    if (undeclared.length > 0) {
      throw new Error(`Routes without a declared permission: ${[...new Set(undeclared)].join(', ')}`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config.permission;
    // Unmatched requests reach only the not-found handler, which serves no data.
    if (permission === undefined || permission === 'public') return;
    const actor = await access.authenticate(request);
    // Set before the check: a refusal is recorded with who was refused.
    request.actor = actor;
    if (!access.allows(actor, permission)) {
      throw new AppError('forbidden', `Your role (${actor.role}) does not grant ${permission}`);
    }
  });
}

/** For plugins whose routes cannot carry options (static files): every route they add is public. */
export function markRoutesPublic(app: HttpApp) {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, permission: route.config?.permission ?? 'public' };
  });
}
