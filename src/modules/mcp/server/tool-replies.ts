import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../../../platform/errors.js';

/** A tool's answer: its JSON as text (what every MCP client shows) and as structured content. */
export const jsonReply = (value: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
  structuredContent: value,
});

/**
 * Runs a tool's body; a refusal (AppError: not found, forbidden, a bad plan, a decided approval)
 * becomes an error result carrying the same code the REST API answers, not a protocol error.
 */
export async function asToolResult(run: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    return jsonReply(await run());
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const body = {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      },
    };
    return {
      content: [{ type: 'text', text: JSON.stringify(body) }],
      structuredContent: body,
      isError: true,
    };
  }
}
