import { z } from 'zod';
import { nonBlank, userId } from './chat.schemas.js';

export const inferBody = (maxMessageChars: number) =>
  z.strictObject({
    request_id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits, ".", "_", ":" or "-"')
      .optional(),
    user_id: userId,
    workflow: z.string().min(1).max(64),
    input: z.strictObject({ text: nonBlank(maxMessageChars) }),
  });

export const inferReply = z.object({
  request_id: z.string(),
  status: z.literal('completed'),
  answer: z.string(),
  evidence: z.array(z.object({ type: z.literal('tool'), tool: z.string(), ref: z.string() })),
  policy_version: z.string(),
});
