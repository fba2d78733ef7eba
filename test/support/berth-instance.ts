import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Config, loadConfig } from '../../src/app/config.js';
import { type App, createApp } from '../../src/app.js';
import { createLogger } from '../../src/platform/telemetry/index.js';
import { PGLITE_TEMPLATE } from './paths.js';

export interface BerthInstance {
  url: string;
  app: App;
  config: Config;
  /** Every log line the instance wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment as an operator would set it; PORT, HOST and the store are filled in. */
  env?: Record<string, string>;
  /** postgres://… for the Postgres store; otherwise a temporary PGlite data dir. */
  databaseUrl?: string;
  dataDir?: string;
  /** Port to listen on, when the URL must be known before the start (a redirect URI). Default: any free one. */
  port?: number;
}

export function tempDir(prefix = 'berth-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts a real Berth (HTTP on loopback, real store) in this process. */
export async function startBerth(options: StartOptions = {}): Promise<BerthInstance> {
  const ownDir = options.dataDir ? undefined : tempDir();
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    BERTH_DATA_DIR: options.dataDir ?? (ownDir as string),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const loaded = loadConfig({ env, cwd: tmpdir() });
  if (!loaded.ok) throw loaded.error;
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const app = await createApp(loaded.value, {
    logger: createLogger(loaded.value.logLevel, sink),
    pgliteTemplatePath: PGLITE_TEMPLATE,
  });
  const address = await app.http.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  app.markStarted();
  return {
    url: address,
    app,
    config: loaded.value,
    logs,
    async close() {
      await app.close(2_000);
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
