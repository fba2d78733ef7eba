/** A start-up refusal with a message for the operator (printed alone, without a stack trace). */
export class StartupError extends Error {
  override name = 'StartupError';
}
