import { z } from 'zod';
import { errorReply, type HttpApp } from '../../platform/http/index.js';
import type { KeyRecord, MemberRecord, TenantRecord } from './identity.repository.js';
import {
  keyView,
  memberView,
  meView,
  newKeyBody,
  newMemberBody,
  newTenantBody,
  tenantParams,
  tenantView,
} from './identity.schemas.js';
import type { IdentityService } from './identity.service.js';

const errors = { 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply, 409: errorReply };

const tenantWire = (t: TenantRecord) => ({ id: t.id, name: t.name, created_at: t.createdAt.toISOString() });
const memberWire = (m: MemberRecord) => ({
  user_id: m.userId,
  role: m.role,
  created_at: m.createdAt.toISOString(),
});
const keyWire = (k: KeyRecord) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  user_id: k.userId,
  prefix: k.prefix,
  created_at: k.createdAt.toISOString(),
  revoked_at: k.revokedAt?.toISOString() ?? null,
});

export interface IdentityRouteDeps {
  identity: IdentityService;
  authRequired(): Promise<boolean>;
}

/** Who am I, and the admin API for tenants, their users and their keys (what `berth tenants|users|keys` do). */
export function registerIdentityRoutes(app: HttpApp, deps: IdentityRouteDeps) {
  const { identity } = deps;
  app.route({
    method: 'GET',
    url: '/api/me',
    config: { permission: 'me:read' },
    schema: {
      tags: ['identity'],
      description: 'The caller: tenant, user and role.',
      response: { 200: meView, ...errors },
    },
    handler: async (request) => {
      const { actor } = request;
      return {
        tenant_id: actor.tenantId,
        user_id: actor.userId,
        role: actor.role,
        via: actor.via,
        auth_required: await deps.authRequired(),
      };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/tenants',
    config: { permission: 'tenants:read' },
    schema: { tags: ['identity'], response: { 200: z.object({ tenants: z.array(tenantView) }), ...errors } },
    handler: async (request) => ({ tenants: (await identity.listTenants(request.actor)).map(tenantWire) }),
  });

  app.route({
    method: 'POST',
    url: '/api/tenants',
    config: { permission: 'tenants:create' },
    schema: {
      tags: ['identity'],
      description: 'Creates a tenant (the operator only: the CLI, or the local admin token).',
      body: newTenantBody,
      response: { 201: tenantView, ...errors },
    },
    handler: async (request, reply) =>
      reply.status(201).send(tenantWire(await identity.createTenant(request.actor, request.body))),
  });

  app.route({
    method: 'GET',
    url: '/api/tenants/:tenant/users',
    config: { permission: 'users:read' },
    schema: {
      tags: ['identity'],
      params: tenantParams,
      response: { 200: z.object({ users: z.array(memberView) }), ...errors },
    },
    handler: async (request) => ({
      users: (await identity.listUsers(request.actor, request.params.tenant)).map(memberWire),
    }),
  });

  app.route({
    method: 'POST',
    url: '/api/tenants/:tenant/users',
    config: { permission: 'users:manage' },
    schema: {
      tags: ['identity'],
      description:
        'Adds a user to the tenant with a role, or changes its role. Nobody grants a role above its own.',
      params: tenantParams,
      body: newMemberBody,
      response: { 200: memberView, ...errors },
    },
    handler: async (request) =>
      memberWire(
        await identity.addUser(request.actor, {
          tenantId: request.params.tenant,
          userId: request.body.user_id,
          role: request.body.role,
        }),
      ),
  });

  app.route({
    method: 'GET',
    url: '/api/tenants/:tenant/keys',
    config: { permission: 'keys:read' },
    schema: {
      tags: ['identity'],
      params: tenantParams,
      response: { 200: z.object({ keys: z.array(keyView) }), ...errors },
    },
    handler: async (request) => ({
      keys: (await identity.listKeys(request.actor, request.params.tenant)).map(keyWire),
    }),
  });

  app.route({
    method: 'POST',
    url: '/api/tenants/:tenant/keys',
    config: { permission: 'keys:manage' },
    schema: {
      tags: ['identity'],
      description:
        'Creates an API key; `key` is shown in this answer only. With `user_id` the key acts as that member (role at most its role); without, as itself.',
      params: tenantParams,
      body: newKeyBody,
      response: { 201: keyView.extend({ key: z.string() }), ...errors },
    },
    handler: async (request, reply) => {
      const { key, record } = await identity.createKey(request.actor, {
        tenantId: request.params.tenant,
        name: request.body.name,
        role: request.body.role,
        userId: request.body.user_id,
      });
      return reply.status(201).send({ ...keyWire(record), key });
    },
  });

  app.route({
    method: 'POST',
    url: '/api/tenants/:tenant/keys/:key/revoke',
    config: { permission: 'keys:manage' },
    schema: {
      tags: ['identity'],
      description: 'Revokes the one active key whose id or key starts with `:key`.',
      params: tenantParams.extend({ key: z.string().min(4).max(200) }),
      response: { 200: keyView.extend({ active_keys_left: z.number() }), ...errors },
    },
    handler: async (request) => {
      const revoked = await identity.revokeKey(request.actor, request.params.tenant, request.params.key);
      return { ...keyWire(revoked), active_keys_left: await identity.activeKeyCount() };
    },
  });
}
