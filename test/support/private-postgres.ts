import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, SERVICES_REQUIRED } from './services.js';

/** A Postgres server of one test's own (initdb + pg_ctl in a temp dir), which the test may stop and start. */
export interface PrivatePostgres {
  url: string;
  port: number;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  return dir;
}

/** undefined when a private Postgres can be made here; else why not (a throw under BERTH_REQUIRE_SERVICES=1). */
export function privatePostgresSkipReason(): string | undefined {
  let reason: string | undefined;
  if (!binDir()) reason = 'no initdb under /usr/lib/postgresql';
  else if (spawnSync('id', ['postgres']).status !== 0) reason = 'no "postgres" user to run initdb as';
  if (reason && SERVICES_REQUIRED) throw new Error(`${reason}, and BERTH_REQUIRE_SERVICES=1`);
  return reason;
}

// initdb and postgres refuse to run as root; the machine's "postgres" user runs them.
const asPostgres = (command: string, args: string[]) =>
  process.getuid?.() === 0
    ? (['runuser', ['-u', 'postgres', '--', command, ...args]] as const)
    : ([command, args] as const);

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir() as string;
  const port = await freePort();
  const root = mkdtempSync(join(tmpdir(), 'berth-pg-'));
  const data = join(root, 'data');
  chmodSync(root, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(root, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [command, fullArgs] = asPostgres(join(bin, tool), args);
    execFileSync(command, [...fullArgs], { stdio: 'pipe' });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off`;
  const server: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(root, 'log'), '-w', 'start']),
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    destroy() {
      try {
        server.stop('immediate');
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  server.start();
  return server;
}
