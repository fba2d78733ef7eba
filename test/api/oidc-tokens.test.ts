import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/modules/identity/index.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type ErrorBody, getJson } from '../support/http.js';
import { createTask } from '../support/tasks.js';
import { AUDIENCE, BERTH_CLIENT, berthOidcEnv, startTestIdp, type TestIdp } from '../support/test-idp.js';

const robots = {
  'robot-acme': { berth_tenant: 'acme', berth_role: 'member', email: 'ana@acme.test', email_verified: true },
  'robot-globex': { berth_tenant: 'globex', berth_role: 'member', email: 'gus@globex.test' },
  'robot-member': { berth_tenant: 'acme', email: 'mo@acme.test' },
  'robot-stranger': { berth_tenant: 'acme', email: 'sam@acme.test' },
  'robot-ghost': { berth_tenant: 'ghost', berth_role: 'owner' },
  'robot-system': { berth_tenant: 'acme', berth_role: 'system' },
  'robot-roles': {
    berth_tenant: 'acme',
    berth_role: ['auditor', 'viewer', 'operator'],
    email: 'ro@acme.test',
  },
  'robot-default': { email: 'dee@example.test' },
  'robot-unverified': {
    berth_tenant: 'acme',
    berth_role: 'member',
    email: 'boss@acme.test',
    email_verified: false,
  },
  'robot-hs': { berth_tenant: 'acme', berth_role: 'member' },
};

describe('OpenID Connect access tokens', () => {
  let idp: TestIdp;
  let berth: BerthInstance;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const tokenOf = (robot: keyof typeof robots, audience = AUDIENCE) => idp.robotToken(robot, audience);
  /** A token signed with the provider's own key that differs from a good one in the given claims. */
  const forged = (claims: Record<string, unknown>) =>
    new SignJWT({ ...robots['robot-acme'], sub: 'robot-acme', iss: idp.issuer, aud: AUDIENCE, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: idp.kid, typ: 'at+jwt' })
      .sign(idp.signingKey);

  beforeAll(async () => {
    idp = await startTestIdp({
      client: { ...BERTH_CLIENT, redirectUri: 'http://127.0.0.1:9/auth/callback' },
      audiences: [AUDIENCE, 'urn:other:api'],
      accounts: {},
      robots: Object.fromEntries(
        Object.entries(robots).map(([id, claims]) => [
          id,
          { secret: `${id}-secret`, claims, symmetric: id === 'robot-hs' },
        ]),
      ),
    });
    berth = await startBerth({
      env: { ...berthOidcEnv(idp, 'http://127.0.0.1:9'), BERTH_API_KEYS: 'plain-api-key' },
    });
    const { identity } = berth.app;
    for (const id of ['acme', 'globex']) await identity.createTenant(systemActor(), { id });
    await identity.addUser(systemActor(), { tenantId: 'acme', userId: 'mo@acme.test', role: 'operator' });
    await identity.addUser(systemActor(), {
      tenantId: 'default',
      userId: 'dee@example.test',
      role: 'viewer',
    });
  });
  afterAll(async () => {
    await berth?.close();
    await idp?.close();
  });

  it('accepts a JWT access token of the provider on /api/me and /api/tasks', async () => {
    const token = await tokenOf('robot-acme');
    const me = await getJson(`${berth.url}/api/me`, bearer(token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      tenant_id: 'acme',
      user_id: 'ana@acme.test',
      role: 'member',
      via: 'token',
    });

    const created = await createTask(
      berth.url,
      { description: 'Summarise nothing in particular' },
      bearer(token),
    );
    expect(created.status).toBe(202);
    const list = await getJson<{ tasks: Array<{ task_id: string }> }>(
      `${berth.url}/api/tasks`,
      bearer(token),
    );
    expect(list.status).toBe(200);
    expect(list.body.tasks.map((t) => t.task_id)).toContain(created.body.task_id);
  });

  it("keeps a token of tenant B out of tenant A's tasks", async () => {
    const created = await createTask(
      berth.url,
      { description: 'Acme only' },
      bearer(await tokenOf('robot-acme')),
    );
    const globex = bearer(await tokenOf('robot-globex'));
    const read = await getJson<ErrorBody>(`${berth.url}/api/tasks/${created.body.task_id}`, globex);
    expect(read.status).toBe(404);
    const list = await getJson<{ tasks: Array<{ task_id: string }> }>(`${berth.url}/api/tasks`, globex);
    expect(list.body.tasks.map((t) => t.task_id)).not.toContain(created.body.task_id);
    expect((await getJson(`${berth.url}/api/me`, globex)).body).toMatchObject({ tenant_id: 'globex' });
  });

  it('takes the role from the membership when the token names none, and the highest of a list', async () => {
    const member = await getJson(`${berth.url}/api/me`, bearer(await tokenOf('robot-member')));
    expect(member.body).toMatchObject({ tenant_id: 'acme', user_id: 'mo@acme.test', role: 'operator' });
    const listed = await getJson(`${berth.url}/api/me`, bearer(await tokenOf('robot-roles')));
    expect(listed.body).toMatchObject({ user_id: 'ro@acme.test', role: 'operator' });
    const fallback = await getJson(`${berth.url}/api/me`, bearer(await tokenOf('robot-default')));
    expect(fallback.body).toMatchObject({
      tenant_id: 'default',
      user_id: 'dee@example.test',
      role: 'viewer',
    });
  });

  it('names the user by its subject when its email is not verified', async () => {
    const me = await getJson(`${berth.url}/api/me`, bearer(await tokenOf('robot-unverified')));
    expect(me.body).toMatchObject({ tenant_id: 'acme', user_id: 'robot-unverified' });
  });

  it('refuses with 403 a genuine token that grants nothing here', async () => {
    const cases: Array<[keyof typeof robots, RegExp]> = [
      ['robot-stranger', /User "sam@acme.test" is not a member of tenant "acme"/],
      ['robot-ghost', /Tenant "ghost" does not exist/],
      ['robot-system', /names no Berth role/],
    ];
    for (const [robot, message] of cases) {
      const reply = await getJson<ErrorBody>(`${berth.url}/api/me`, bearer(await tokenOf(robot)));
      expect(reply.status, robot).toBe(403);
      expect(reply.body.error.code).toBe('forbidden');
      expect(reply.body.error.message).toMatch(message);
    }
  });

  it('refuses expired, foreign, misdirected and unsigned tokens with 401, saying why', async () => {
    const now = Math.floor(Date.now() / 1000);
    const foreignKey = (await generateKeyPair('RS256')).privateKey;
    const cases: Array<[string, string, RegExp]> = [
      ['expired', await forged({ iat: now - 7200, exp: now - 3600 }), /expired at/],
      [
        'foreign issuer',
        await new SignJWT({ ...robots['robot-acme'], aud: AUDIENCE })
          .setProtectedHeader({ alg: 'RS256' })
          .setIssuer('https://idp.elsewhere.test')
          .setExpirationTime('5m')
          .sign(foreignKey),
        /issued by "https:\/\/idp.elsewhere.test", not by http/,
      ],
      [
        'own issuer, foreign key',
        await new SignJWT({ ...robots['robot-acme'], aud: AUDIENCE })
          .setProtectedHeader({ alg: 'RS256', kid: 'not-the-providers' })
          .setIssuer(idp.issuer)
          .setExpirationTime('5m')
          .sign(foreignKey),
        /signed with a key .* does not publish/,
      ],
      ['wrong audience', await tokenOf('robot-acme', 'urn:other:api'), /not meant for Berth/],
      ['no expiry', await forged({ exp: undefined }), /"exp" claim/],
      [
        'alg none',
        new UnsecuredJWT({ ...robots['robot-acme'], aud: AUDIENCE })
          .setIssuer(idp.issuer)
          .setExpirationTime('5m')
          .encode(),
        /not signed \(alg none\)/,
      ],
      ['HS256 from the provider itself', await tokenOf('robot-hs'), /signed with "HS256"/],
    ];
    for (const [name, token, message] of cases) {
      const reply = await getJson<ErrorBody>(`${berth.url}/api/me`, bearer(token));
      expect(reply.status, name).toBe(401);
      expect(reply.body.error.code, name).toBe('unauthorized');
      expect(reply.body.error.message, name).toMatch(message);
      expect(reply.body.error.message, name).not.toContain(token.split('.')[1]);
    }
  });

  it('still takes API keys, and says on /auth/config that sign-in is on', async () => {
    expect((await getJson(`${berth.url}/api/me`, bearer('plain-api-key'))).body).toMatchObject({
      via: 'key',
    });
    const config = await getJson(`${berth.url}/auth/config`);
    expect(config.body).toEqual({ oidc: true, provider_name: '127.0.0.2', sign_in_url: '/auth/login' });
  });

  it('never logs a token', async () => {
    const token = await tokenOf('robot-acme');
    await getJson(`${berth.url}/api/me`, bearer(token));
    await getJson(`${berth.url}/api/me`, bearer(`${token}x`));
    expect(JSON.stringify(berth.logs)).not.toContain(token.split('.')[2]);
  });
});

describe('OpenID Connect with the provider down', () => {
  it('starts anyway, and answers 503 while the provider cannot be reached', async () => {
    const berth = await startBerth({
      env: {
        BERTH_OIDC_ISSUER: 'http://127.0.0.2:9',
        BERTH_OIDC_CLIENT_ID: 'berth',
        BERTH_PUBLIC_URL: 'http://127.0.0.1:9',
        BERTH_SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
      },
    });
    try {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const shaped = `${part({ alg: 'RS256' })}.${part({ iss: 'http://127.0.0.2:9' })}.c2ln`;
      const reply = await getJson<ErrorBody>(`${berth.url}/api/me`, { authorization: `Bearer ${shaped}` });
      expect(reply.status).toBe(503);
      expect(reply.body.error.code).toBe('identity_provider_unavailable');
      expect(reply.body.error.message).toMatch(/http:\/\/127\.0\.0\.2:9 could not be reached/);
      const login = await fetch(`${berth.url}/auth/login`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(login.headers.get('location')).toBe('/chat');
      const [why] = login.headers.getSetCookie();
      expect(decodeURIComponent(why ?? '')).toMatch(
        /^berth_sign_in_error=The identity provider .* could not be reached.*; Max-Age=60; Path=\/; SameSite=Lax$/,
      );
    } finally {
      await berth.close();
    }
  });
});
