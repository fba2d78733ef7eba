import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { z } from 'zod';
import { ok } from '../../../platform/errors.js';
import { defineTool, type ToolResult, toolFailure } from '../tool.js';
import { type SmtpFailure, smtpFailure } from './smtp-errors.js';

export interface SendEmailOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (BERTH_SMTP_URL). Required. */
  url: string;
  /** The From of every mail (BERTH_SMTP_FROM). */
  from: string;
  /** Recipients one mail may have. Default 10. */
  maxRecipients?: number;
  /** Whole call: connect, TLS, authentication and the transfer. Default 30 s. */
  timeoutMs?: number;
}

/** The Message-ID of the mail sent for one idempotency key: a retried step sends the same one. */
export const messageIdFor = (idempotencyKey: string) =>
  `<${createHash('sha256').update(idempotencyKey).digest('hex')}@berth>`;

// A header line must not break; the rest of the limits keep a planned mail a mail, not a payload.
const oneLine = /^[^\r\n]*$/;

const inputFor = (maxRecipients: number) =>
  z.strictObject({
    to: z
      .array(z.email({ error: 'must be an e-mail address' }).max(254))
      .min(1)
      .max(maxRecipients)
      .describe('Recipient addresses'),
    subject: z.string().min(1).max(200).regex(oneLine, 'must be one line'),
    text: z.string().min(1).max(100_000).describe('The plain-text body'),
  });

const output = z.object({
  messageId: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  /** The server's last reply, e.g. `250 OK: queued as 1234`. */
  response: z.string(),
});

export type SendEmailOutput = z.output<typeof output>;

/** Transport options from the URL; credentials are percent-decoded here and go nowhere else. */
function transportOptions(url: URL, timeoutMs: number) {
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const phase = Math.max(1_000, Math.floor(timeoutMs / 2));
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    ...(user || pass ? { auth: { user, pass } } : {}),
    connectionTimeout: phase,
    greetingTimeout: phase,
    socketTimeout: timeoutMs,
    // nodemailer logs nothing unless asked; said here so nobody turns it on with credentials in play.
    logger: false,
    debug: false,
  };
}

/**
 * Sends one plain-text mail over SMTP with nodemailer. The Message-ID is derived from the
 * idempotency key, so a step retried after a crash sends a mail its receiver can recognise as the
 * same one. Error messages never carry the URL's credentials.
 */
export function createSendEmailTool(options: SendEmailOptions) {
  const url = new URL(options.url);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transport = createTransport(transportOptions(url, timeoutMs));
  const secrets = [
    url.username,
    url.password,
    decodeURIComponent(url.username),
    decodeURIComponent(url.password),
  ];
  return defineTool({
    name: 'send_email',
    description:
      'Send a plain-text e-mail to one or more addresses. Changes the world: it runs only after approval.',
    input: inputFor(options.maxRecipients ?? 10),
    output,
    sideEffects: true,
    timeoutMs,
    maxOutputBytes: 16 * 1024,
    async run({ to, subject, text }, ctx): Promise<ToolResult<SendEmailOutput>> {
      const messageId = messageIdFor(ctx.idempotencyKey);
      try {
        const info = await transport.sendMail({ from: options.from, to, subject, text, messageId });
        return ok({
          messageId,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
        });
      } catch (error) {
        const failure = smtpFailure(error as SmtpFailure, secrets);
        return toolFailure(failure.code, failure.message, {
          retryable: failure.retryable,
          details: { ...failure.details, messageId },
        });
      }
    },
  });
}
