import { z } from 'zod';

export const nonBlank = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((value) => value.trim().length > 0, 'must not be empty');

export const userId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s/]+$/, 'must not contain spaces or slashes');

export const chatBody = (maxMessageChars: number) =>
  z.strictObject({
    message: nonBlank(maxMessageChars),
    user_id: userId.optional(),
    conversation_id: z.uuid().optional(),
    agent: z.string().min(1).max(64).optional(),
  });

/** Tokens of the turn's model calls, and what they cost in USD (from the price table; 0 for the offline model). */
export const usage = z.object({ input_tokens: z.number(), output_tokens: z.number(), cost_usd: z.number() });

/** A side-effecting tool call that did not run: its task waits for approval of exactly these arguments. */
export const proposedAction = z.object({
  /** Null when no worker took the step within the wait; the task asks once one does. */
  approval_id: z.string().nullable(),
  task_id: z.string(),
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  args_hash: z.string(),
});

export const chatReply = z.object({
  conversation_id: z.string(),
  message_id: z.string(),
  response: z.string(),
  model: z.string(),
  agent_version: z.string(),
  usage,
  approvals: z.array(proposedAction),
  request_id: z.string(),
});

export const historyMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  conversation_id: z.string(),
  created_at: z.string(),
});
export const historyReply = z.object({ messages: z.array(historyMessage) });

export const conversationList = z.object({
  conversations: z.array(
    z.object({
      id: z.string(),
      agent: z.string(),
      title: z.string().nullable(),
      tokens_used: z.number(),
      created_at: z.string(),
      updated_at: z.string(),
    }),
  ),
});
