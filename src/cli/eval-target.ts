import type { Writable } from 'node:stream';
import type { Config } from '../app/config.js';
import { appConfigChecks } from '../app/core.js';
import { type App, createApp } from '../app.js';
import {
  type BerthClient,
  configVersion,
  createBerthClient,
  type FixtureSite,
  IN_PROCESS,
  type Suite,
  serveFixtures,
  type Transport,
} from '../modules/evals/index.js';
import type { ConfigCheck } from '../platform/config/index.js';
import type { HttpApp } from '../platform/http/index.js';
import { createLogger } from '../platform/telemetry/index.js';

/** What a run talks to, and what to close after it. */
export interface EvalTarget {
  client: BerthClient;
  fixturesUrl?: string;
  /** Known here only in process; against a server, the server stamps its own when it records the run. */
  configVersion?: string;
  close(): Promise<void>;
}

/** The app's HTTP API without a socket: Fastify's inject, which carries the abort to the route. */
function injectTransport(http: HttpApp): Transport {
  return {
    target: IN_PROCESS,
    async request({ method, path, body, accept, signal }) {
      const response = await http.inject({
        method,
        url: path,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(accept ? { accept } : {}),
        },
        payload: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      return { status: response.statusCode, text: response.body };
    },
  };
}

/**
 * The configuration as `berth start` would run it, but on a throwaway in-memory store with the
 * embedded queue, nothing listening, auth off (requests come from this process only), and fetch_url
 * allowed to reach the suite's fixture pages — that one loopback port, no other.
 */
function inProcessConfig(config: Config, fixtures: FixtureSite | undefined): Config {
  const { databaseUrl: _db, redisUrl: _redis, ...rest } = config;
  return {
    ...rest,
    dataDir: 'memory://',
    auth: { ...config.auth, mode: 'off', apiKeys: [], oidc: { ...config.auth.oidc, issuer: undefined } },
    rateLimit: { perActorPerMinute: 0, perTenantPerMinute: 0 },
    tools: {
      ...config.tools,
      fetchAllow: [...config.tools.fetchAllow, ...(fixtures ? [fixtures.host] : [])],
    },
  };
}

/**
 * Berth built in this process from the configuration (berth.yaml and the environment, checked as
 * `berth start` checks them). A PGlite store in memory takes a few seconds to initialise.
 */
export async function openInProcessTarget(
  suite: Suite,
  readConfig: (checks: ReadonlyArray<ConfigCheck<Config>>) => Config,
  logTo: Writable,
): Promise<EvalTarget> {
  const config = readConfig(appConfigChecks);
  const fixtures = suite.fixtures ? await serveFixtures(suite.fixtures) : undefined;
  let app: App | undefined;
  const close = async () => {
    await app?.close(2_000);
    await fixtures?.close();
  };
  try {
    app = await createApp(inProcessConfig(config, fixtures), {
      logger: createLogger('warn', logTo),
      role: 'all',
    });
    app.markStarted();
    const client = createBerthClient(injectTransport(app.http), { pollMs: 50 });
    // The agents' versions do not depend on the overrides above; the fetch allowance does: the user's counts.
    const version = configVersion(await client.agents(), config);
    return { client, fixturesUrl: fixtures?.url, configVersion: version, close };
  } catch (error) {
    await close();
    throw error;
  }
}
