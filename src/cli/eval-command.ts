import type { Writable } from 'node:stream';
import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../app/config.js';
import type { ConfigCheck } from '../platform/config/index.js';
import type { EvalOptions } from './eval-run.js';

export interface EvalCommandContext {
  config(checks?: ReadonlyArray<ConfigCheck<Config>>): Config;
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
  err(text: string): void;
  /** Where the in-process app's warnings go. */
  logTo: Writable;
  /** The command's exit code: 0 the gate passed, 1 it failed. */
  done(code: number): void;
}

const rate = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError('give a number from 0 to 1, e.g. 0.9.');
  }
  return n;
};

const httpUrl = (value: string): string => {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // Reported below, as for any other value.
  }
  throw new InvalidArgumentError(
    'give the http(s) URL of a running Berth, e.g. https://staging.example.com.',
  );
};

export function registerEvalCommand(program: Command, context: EvalCommandContext) {
  program
    .command('eval')
    .description('run an eval suite against an agent and gate on its pass rate (exit 1 when the gate fails)')
    .argument('<suite>', 'a suite file, or the name of one in ./evals (golden, adversarial)')
    .option('--agent <name>', "the agent of the cases that name none (default: the suite's, else default)")
    .option(
      '--against <url>',
      'a running Berth to evaluate (default: Berth built in this process on an in-memory store)',
      httpUrl,
    )
    .option('--key <key>', 'API key for --against, an operator or above (default: $BERTH_EVAL_KEY)')
    .option(
      '--baseline <file>',
      'a previous JSON report: a case that passed there and fails now fails the gate',
    )
    .option('--output <dir>', 'write <suite>.md, <suite>.junit.xml and <suite>.json into this directory')
    .option('--min-pass-rate <n>', 'the gate: passed cases over judged (not skipped) ones, 0 to 1', rate, 1)
    .action(async (suite: string, options: EvalOptions) => {
      // Loaded here: the other commands and help need none of the evals module.
      const { runEval } = await import('./eval-run.js');
      context.done(await runEval(suite, options, context));
    });
}
