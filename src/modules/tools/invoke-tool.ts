import type { z } from 'zod';
import { ok } from '../../platform/errors.js';
import { ATTR_OUTCOME, ATTR_REQUEST_ID, inSpan, markFailed } from '../../platform/telemetry/index.js';
import { type Tool, type ToolContext, type ToolResult, toolFailure } from './tool.js';

type Issue = z.core.$ZodIssue;

const describeIssues = (issues: readonly Issue[]) =>
  issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));

/**
 * Runs one tool call with every guard the caller relies on: input and output validation, the
 * tool's timeout combined with the caller's signal, the output size cap, and thrown errors turned
 * into values. Never rejects. One span each (`execute_tool <name>`, GenAI conventions), without the
 * input or output: a tool's arguments can hold what a prompt holds.
 */
export function invokeTool<I extends z.ZodType, O extends z.ZodType>(
  tool: Tool<I, O>,
  rawInput: unknown,
  ctx: ToolContext,
): Promise<ToolResult<z.output<O>>> {
  const attributes = {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': tool.name,
    'gen_ai.tool.type': 'function',
    'berth.tool.side_effects': tool.sideEffects,
    ...(ctx.requestId ? { [ATTR_REQUEST_ID]: ctx.requestId } : {}),
  };
  return inSpan(`execute_tool ${tool.name}`, { attributes }, async (span) => {
    const result = await guardedCall(tool, rawInput, ctx);
    if (result.ok) span.setAttribute(ATTR_OUTCOME, 'ok');
    else {
      span.setAttribute(ATTR_OUTCOME, result.error.retryable ? 'retryable_error' : 'error');
      markFailed(span, result.error);
    }
    return result;
  });
}

async function guardedCall<I extends z.ZodType, O extends z.ZodType>(
  tool: Tool<I, O>,
  rawInput: unknown,
  ctx: ToolContext,
): Promise<ToolResult<z.output<O>>> {
  const input = tool.input.safeParse(rawInput);
  if (!input.success) {
    return toolFailure('invalid_tool_input', `${tool.name}: the input does not match its schema`, {
      details: { issues: describeIssues(input.error.issues) },
    });
  }
  if (ctx.signal.aborted) return cancelled(tool.name);
  const timeout = AbortSignal.timeout(tool.timeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const result = await runUntilAborted(tool, input.data, { ...ctx, signal });
  // A tool that stopped on the signal usually reports it as its own error; say what really happened.
  if (signal.aborted && !result.ok) {
    if (!timeout.aborted) return cancelled(tool.name);
    const message = `${tool.name} did not finish within ${tool.timeoutMs} ms`;
    return toolFailure('tool_timeout', message, { retryable: true });
  }
  return result.ok ? checkOutput(tool, result.value) : result;
}

const cancelled = (name: string) =>
  toolFailure('tool_aborted', `${name} was cancelled by its caller`, { retryable: true });

// Races the tool against the signal: a tool that ignores its signal must not hold the caller.
async function runUntilAborted<I extends z.ZodType, O extends z.ZodType>(
  tool: Tool<I, O>,
  input: z.output<I>,
  ctx: ToolContext,
): Promise<ToolResult<z.input<O>>> {
  let onAbort = () => {};
  const aborted = new Promise<ToolResult<z.input<O>>>((resolve) => {
    onAbort = () => resolve(toolFailure('tool_aborted', `${tool.name} was aborted`));
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = (async () => {
    try {
      return await tool.run(input, ctx);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return toolFailure('tool_failed', `${tool.name} failed: ${message}`, {
        details: { name: error instanceof Error ? error.name : typeof error },
      });
    }
  })();
  try {
    return await Promise.race([running, aborted]);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function checkOutput<O extends z.ZodType>(tool: Tool<z.ZodType, O>, value: unknown): ToolResult<z.output<O>> {
  const output = tool.output.safeParse(value);
  if (!output.success) {
    return toolFailure('invalid_tool_output', `${tool.name} returned output that does not match its schema`, {
      details: { issues: describeIssues(output.error.issues) },
    });
  }
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(output.data) ?? '');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return toolFailure('tool_failed', `${tool.name} returned output that is not JSON: ${reason}`);
  }
  if (bytes > tool.maxOutputBytes) {
    return toolFailure(
      'output_too_large',
      `${tool.name} returned ${bytes} bytes, over its cap of ${tool.maxOutputBytes}`,
      {
        details: { bytes, limit: tool.maxOutputBytes },
      },
    );
  }
  return ok(output.data);
}
