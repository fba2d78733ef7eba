import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ok } from '../../../platform/errors.js';
import { type ToolResult, toolFailure } from '../../tools/index.js';
import type { McpToolOutput } from './mcp-tool.js';

type Block = { type: string; [key: string]: unknown };
const MAX_ERROR_TEXT = 2_000;

/** One content block as text: binary content is named, never inlined (the output cap is for text). */
function blockText(block: Block): string {
  switch (block.type) {
    case 'text':
      return String(block.text ?? '');
    case 'image':
    case 'audio':
      return `[${block.type} ${String(block.mimeType ?? '')}, ${String(block.data ?? '').length} base64 characters, not shown]`;
    case 'resource': {
      const resource = (block.resource ?? {}) as { uri?: string; text?: string };
      return resource.text ?? `[resource ${resource.uri ?? ''}, binary, not shown]`;
    }
    case 'resource_link':
      return `[resource ${String(block.uri ?? '')}]`;
    default:
      return `[${block.type} content, not shown]`;
  }
}

/**
 * A tools/call result as the step's output. It is data: whatever its text says, nothing here adds a
 * step, a tool or an instruction. `isError` results are the tool's own failure, not retried.
 */
export function toToolResult(result: Record<string, unknown>, tool: string): ToolResult<McpToolOutput> {
  const blocks = Array.isArray(result.content) ? (result.content as Block[]) : [];
  const text = blocks.map(blockText).join('\n');
  if (result.isError === true) {
    return toolFailure('mcp_tool_error', `${tool} reported an error: ${text.slice(0, MAX_ERROR_TEXT)}`);
  }
  const structured = result.structuredContent;
  const isRecord = typeof structured === 'object' && structured !== null && !Array.isArray(structured);
  return ok({ text, ...(isRecord ? { structured: structured as Record<string, unknown> } : {}) });
}

/** Whether a failed call means the connection itself is gone (so the server is restarted). */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  // Transport failures (a refused or reset socket, an HTTP error status) are plain errors.
  return !(error instanceof Error && error.name === 'AbortError');
}

/** A failed call as a tool error: a lost or slow server is retryable, a refused request is not. */
export function callFailure(error: unknown, server: string, tool: string): ToolResult<never> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return toolFailure('tool_timeout', `${server}__${tool}: ${message}`, { retryable: true });
  }
  if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed) {
    return toolFailure('mcp_error', `MCP server ${server} refused ${tool}: ${message}`, {
      details: { mcp_code: error.code },
    });
  }
  return toolFailure('mcp_server_unavailable', `MCP server ${server} failed during ${tool}: ${message}`, {
    retryable: true,
  });
}
