/** The user-facing result of a task: the text its last step produced. */
export function resultText(output: unknown): string {
  if (output && typeof output === 'object') {
    const o = output as Record<string, unknown>;
    for (const field of ['summary', 'answer', 'text', 'body']) {
      if (typeof o[field] === 'string') return o[field];
    }
  }
  return JSON.stringify(output);
}
