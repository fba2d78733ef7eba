// The command line, loaded by src/main.ts once OpenTelemetry is started.
import { CommanderError } from 'commander';
import { StartupError } from '../app/startup-error.js';
import { DataDirLockedError } from '../platform/db/index.js';
import { isAppError } from '../platform/errors.js';
import { CliError } from './cli-error.js';
import { buildProgram } from './program.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (text: string) => process.stderr.write(text);

/** No command at all means `start`; with only options (`berth --bogus`) too, so they are checked against it. */
function withDefaultCommand(argv: string[]): string[] {
  const rootOnly = ['-h', '--help', '-v', '--version'];
  if (argv.some((arg) => !arg.startsWith('-') || rootOnly.includes(arg))) return argv;
  return ['start', ...argv];
}

/** One line `berth: <message>` (plus the candidates of an ambiguous key prefix); exit 1 for failures, 2 for usage. */
function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof CliError) {
    err(`berth: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof StartupError || error instanceof DataDirLockedError) {
    err(`berth: ${error.message}\n`);
    return 1;
  }
  if (isAppError(error)) {
    err(`berth: ${error.message}\n`);
    if (Array.isArray(error.details)) {
      for (const item of error.details) err(`  ${Object.values(item as object).join('  ')}\n`);
    }
    return error.code === 'validation_failed' ? 2 : 1;
  }
  // Anything else is a bug worth a stack.
  err(`berth: ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const { program, exitCode } = buildProgram({ env: process.env, cwd: process.cwd(), out, err });
  try {
    await program.parseAsync(withDefaultCommand(argv), { from: 'user' });
    return exitCode();
  } catch (error) {
    return report(error);
  }
}

/** Runs the command `argv` names, then exits with its code. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => process.exit(report(error)),
  );
}
