/** What the UI shows of a task's or a step's error. */
export interface ErrorSummary {
  code?: string;
  message?: string;
  /** The step a task failed at. */
  step?: string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * The API declares `error` on tasks and steps as any JSON, so its fields are read, not assumed;
 * the server writes `{ code, message, step? }` today.
 */
export function errorSummary(error: unknown): ErrorSummary | null {
  if (typeof error === 'string') return { message: error };
  if (typeof error !== 'object' || error === null) return null;
  const fields = error as Record<string, unknown>;
  return { code: text(fields.code), message: text(fields.message), step: text(fields.step) };
}
