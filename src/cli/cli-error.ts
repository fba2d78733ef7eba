/** A CLI failure whose message is printed alone (`berth: <message>`); 1 = the command failed, 2 = usage or config. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}
