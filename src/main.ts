import { parseArgs } from 'node:util';
import { StartupError } from './app/startup-error.js';
import { runKeysCommand } from './cli/keys-command.js';
import { runServer } from './cli/run-server.js';
import { loadConfig } from './platform/config/index.js';
import { openStore } from './platform/db/index.js';
import { isAppError } from './platform/errors.js';
import { createLogger } from './platform/telemetry/index.js';
import { VERSION } from './version.js';

const help = `Berth ${VERSION} — run AI agents in production

Usage: berth <command> [options]

Commands:
  start                 run Berth (API, UI and workers) in one process   [default]
  api                   run the HTTP API and UI only (needs DATABASE_URL and REDIS_URL)
  worker                run task workers only, with /healthz /readyz /metrics on WORKER_PORT
  migrate               apply database migrations and exit
  keys create <name>    create an API key (shown once, stored hashed)
  keys list             list API keys
  keys revoke <id|prefix>  revoke an API key

Options:
  -h, --help            show this help
  -v, --version         print the version

Configuration comes from berth.yaml (or BERTH_CONFIG) and the environment;
see the README for every setting. Embedded mode needs nothing installed;
set DATABASE_URL to use Postgres.`;

const print = (line: string) => process.stdout.write(`${line}\n`);
const printError = (line: string) => process.stderr.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  });
  const [command = 'start', ...rest] = positionals;
  if (values.version || values.help || command === 'help') {
    print(values.version ? VERSION : help);
    return 0;
  }
  if (!['start', 'api', 'worker', 'migrate', 'keys'].includes(command)) {
    printError(`berth: unknown command "${command}"\n\n${help}`);
    return 2;
  }
  const config = loadConfig({ env: process.env, cwd: process.cwd() });
  if (!config.ok) {
    printError(config.error.message);
    return 2;
  }
  if (command === 'keys') return runKeysCommand(config.value, rest, print);
  if (command === 'migrate') {
    const store = await openStore({ databaseUrl: config.value.databaseUrl, dataDir: config.value.dataDir });
    try {
      await store.migrate();
      print(`Migrations applied (${store.kind}).`);
      return 0;
    } finally {
      await store.close();
    }
  }
  const role = command === 'start' ? 'all' : (command as 'api' | 'worker');
  const { logFormat } = config.value;
  const format = logFormat === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : logFormat;
  return runServer(
    config.value,
    createLogger(config.value.logLevel, undefined, format).child({ role }),
    role,
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Expected start-up failures get their message alone; anything else is a bug worth a stack.
    if (error instanceof StartupError || isAppError(error)) printError(`berth: ${error.message}`);
    else printError(`berth: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
