import { createExtractTextTool, type ExtractTextOptions } from './extract-text/extract-text.js';
import { createFetchUrlTool, type FetchUrlOptions } from './fetch-url/fetch-url.js';
import { createHttpPostTool, type HttpPostOptions } from './http-post/http-post.js';
import { createSendEmailTool, type SendEmailOptions } from './send-email/send-email.js';
import type { Tool } from './tool.js';

export interface BuiltinToolOptions {
  fetchUrl?: FetchUrlOptions;
  extractText?: ExtractTextOptions;
  /** http_post is registered only with a non-empty allow list: without one it could reach nothing. */
  httpPost?: HttpPostOptions;
  /** send_email is registered only with an SMTP server. */
  sendEmail?: SendEmailOptions;
}

/** A built-in tool this configuration leaves out, and the setting that would bring it in. */
export interface UnavailableTool {
  name: string;
  /** Reads after the tool's name: `needs BERTH_SMTP_URL (tools.smtp.url)`. */
  reason: string;
}

/** The tools Berth ships with, ready for `new ToolRegistry(builtinTools(options))`. */
export const builtinTools = (options: BuiltinToolOptions = {}): Tool[] => [
  createFetchUrlTool(options.fetchUrl),
  createExtractTextTool(options.extractText),
  ...(options.httpPost?.allow?.length ? [createHttpPostTool(options.httpPost)] : []),
  ...(options.sendEmail ? [createSendEmailTool(options.sendEmail)] : []),
];

/** The built-ins builtinTools leaves out for these options, so a config naming one can say what to set. */
export const unavailableBuiltins = (options: BuiltinToolOptions = {}): UnavailableTool[] => [
  ...(options.httpPost?.allow?.length
    ? []
    : [
        {
          name: 'http_post',
          reason: 'needs BERTH_WEBHOOK_ALLOW (tools.webhookAllow), the hosts it may post to',
        },
      ]),
  ...(options.sendEmail ? [] : [{ name: 'send_email', reason: 'needs BERTH_SMTP_URL (tools.smtp.url)' }]),
];
