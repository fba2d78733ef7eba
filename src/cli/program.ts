import { Command } from 'commander';
import { type Config, loadConfig } from '../app/config.js';
import type { Role } from '../app.js';
import type { ConfigCheck } from '../platform/config/index.js';
import { DataDirLockedError, openStore } from '../platform/db/index.js';
import { createLogger } from '../platform/telemetry/index.js';
import { VERSION } from '../version.js';
import { registerAuditCommands } from './audit-commands.js';
import { CliError } from './cli-error.js';
import { registerDeployCommand } from './deploy-command.js';
import { registerEvalCommand } from './eval-command.js';
import { registerIdentityCommands } from './identity-commands.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
  err(text: string): void;
}

const epilog = `
Configuration comes from berth.yaml (or BERTH_CONFIG) and the environment; see the README for
every setting. Embedded mode needs nothing installed; set DATABASE_URL to use Postgres.
While "berth start" runs on a data dir, tenants, users and keys commands go through it.`;

/** `berth migrate`: refuses a data dir another process holds (a running server migrates at start). */
async function migrate(config: Config, out: (line: string) => void) {
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      lock: { command: 'migrate' },
    });
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    const what = error.holder.command ? ` (berth ${error.holder.command})` : '';
    throw new CliError(
      `the data dir is in use by pid ${error.holder.pid}${what}: stop it first (berth start applies migrations itself)`,
      1,
    );
  }
  try {
    await store.migrate();
    out(`Migrations applied (${store.kind}).`);
  } finally {
    await store.close();
  }
}

/** Reads the configuration when a command needs it: help and usage errors need none. */
function configReader(io: CliIo) {
  return (checks?: ReadonlyArray<ConfigCheck<Config>>): Config => {
    const result = loadConfig({ env: io.env, cwd: io.cwd, checks });
    if (result.ok) return result.value;
    // One "berth: " line per problem (main.ts writes the first prefix).
    const problems = result.error.problems.map((p) => `invalid configuration: ${p}`);
    throw new CliError(problems.join('\nberth: '), 2);
  };
}
type ReadConfig = ReturnType<typeof configReader>;

function registerServerCommands(program: Command, config: ReadConfig, done: (code: number) => void) {
  const server = (role: Role) => async () => {
    // Loaded here: help and the other commands need none of the server's modules.
    const [{ runServer }, { appConfigChecks }] = await Promise.all([
      import('./run-server.js'),
      import('../app/core.js'),
    ]);
    // An agent naming a tool that does not exist is a config error (exit 2), not a failed start.
    const cfg = config(appConfigChecks);
    const format = cfg.logFormat === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : cfg.logFormat;
    done(await runServer(cfg, createLogger(cfg.logLevel, undefined, format).child({ role }), role));
  };
  program
    .command('start')
    .description('run Berth (API, UI and workers) in one process [default]')
    .action(server('all'));
  program
    .command('api')
    .description('run the HTTP API and UI only (needs DATABASE_URL and REDIS_URL)')
    .action(server('api'));
  program
    .command('worker')
    .description('run task workers only, with /healthz /readyz /metrics on WORKER_PORT')
    .action(server('worker'));
}

/**
 * The whole command line. Every command has its own --help; unknown commands and options are
 * refused (main.ts turns commander's refusals into exit 2). `exitCode()` is a server's, once it stopped.
 */
export function buildProgram(io: CliIo) {
  let exitCode = 0;
  const config = configReader(io);
  const program = new Command('berth')
    .description(`Berth ${VERSION}: run AI agents in production`)
    .usage('<command> [options]')
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text),
      outputError: (text, write) => write(`berth: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .addHelpText('after', epilog);
  registerServerCommands(program, config, (code) => {
    exitCode = code;
  });
  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(() => migrate(config(), io.out));
  registerIdentityCommands(program, { config: () => config(), out: io.out });
  registerAuditCommands(program, { config: () => config(), out: io.out });
  registerDeployCommand(program, { cwd: io.cwd, env: io.env, out: io.out, err: io.err });
  registerEvalCommand(program, {
    config,
    env: io.env,
    cwd: io.cwd,
    out: io.out,
    err: io.err,
    logTo: process.stderr,
    done: (code) => {
      exitCode = code;
    },
  });
  return { program, exitCode: () => exitCode };
}
