import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type ProviderToken, type ResourceServerInfo } from 'oidc-provider';

/** A person who can sign in at the provider's (development) login page with any password. */
export interface TestAccount {
  email: string;
  emailVerified?: boolean;
  name?: string;
  tenant?: string;
  role?: string;
}

/** A client that gets access tokens for itself (client credentials), carrying these claims. */
export interface TestRobot {
  secret: string;
  claims: Record<string, unknown>;
  /** Signs this robot's tokens with HS256 and a shared secret instead of the provider's RSA key. */
  symmetric?: boolean;
}

export interface TestIdpOptions {
  /** Loopback address to listen on; another address than Berth's makes it another site for cookies. Default 127.0.0.2. */
  host?: string;
  /** The browser client (authorization code + PKCE). */
  client: { id: string; secret: string; redirectUri: string };
  /** Resource indicators the provider issues JWT access tokens for. */
  audiences: string[];
  accounts: Record<string, TestAccount>;
  robots: Record<string, TestRobot>;
}

export interface TestIdp {
  issuer: string;
  /** The provider's signing key (so a test can sign a token that differs in one claim only). */
  signingKey: CryptoKey;
  kid: string;
  /** A JWT access token for the robot and the resource, straight from the token endpoint. */
  robotToken(robot: string, resource: string): Promise<string>;
  close(): Promise<void>;
}

/** Berth's client at the test provider, and the audience of its API tokens. */
export const BERTH_CLIENT = { id: 'berth-ui', secret: 'berth-ui-secret' };
export const AUDIENCE = 'urn:berth:api';

/** The environment that points a Berth at the test provider. */
export function berthOidcEnv(idp: TestIdp, publicUrl: string): Record<string, string> {
  return {
    BERTH_OIDC_ISSUER: idp.issuer,
    BERTH_OIDC_CLIENT_ID: BERTH_CLIENT.id,
    BERTH_OIDC_CLIENT_SECRET: BERTH_CLIENT.secret,
    BERTH_OIDC_AUDIENCE: AUDIENCE,
    BERTH_PUBLIC_URL: publicUrl,
    BERTH_SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
  };
}

const HS_SECRET = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256');

/** A real OpenID provider (oidc-provider) on loopback, with development login and consent pages. */
export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const host = options.host ?? '127.0.0.2';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const kid = 'test-rs256';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  const robotClaims = (token: ProviderToken) =>
    token.kind === 'ClientCredentials' && token.clientId ? options.robots[token.clientId]?.claims : undefined;

  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key-1'] },
    clients: [
      {
        client_id: options.client.id,
        client_secret: options.client.secret,
        redirect_uris: [options.client.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      ...Object.entries(options.robots).map(([id, robot]) => ({
        client_id: id,
        client_secret: robot.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'api',
      })),
    ],
    claims: {
      email: ['email', 'email_verified'],
      profile: ['name'],
      berth: ['berth_tenant', 'berth_role'],
    },
    scopes: ['openid', 'api'],
    async findAccount(_ctx: unknown, id: string) {
      const account = options.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name ?? id,
            ...(account.tenant ? { berth_tenant: account.tenant } : {}),
            ...(account.role ? { berth_role: account.role } : {}),
          };
        },
      };
    },
    ttl: { ClientCredentials: 300, AccessToken: 300 },
    extraTokenClaims: async (_ctx: unknown, token: ProviderToken) => robotClaims(token),
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Sign-in asks for no resource: its access token is the provider's own, for userinfo.
        defaultResource: async () => undefined,
        useGrantedResource: async () => false,
        async getResourceServerInfo(_ctx: unknown, resource: string, client: { clientId: string }) {
          if (!options.audiences.includes(resource)) throw new errors.InvalidTarget();
          const symmetric = options.robots[client.clientId]?.symmetric;
          const info: ResourceServerInfo = {
            scope: 'api',
            audience: resource,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: symmetric ? { alg: 'HS256', key: HS_SECRET } : { alg: 'RS256' } },
          };
          return info;
        },
      },
    },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    signingKey: privateKey,
    kid,
    async robotToken(robot, resource) {
      const secret = options.robots[robot]?.secret ?? 'unknown';
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${robot}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'api' }),
      });
      const body = (await response.json()) as {
        access_token?: string;
        error?: string;
        error_description?: string;
      };
      if (!body.access_token) throw new Error(`token endpoint: ${body.error}: ${body.error_description}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
