import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { HttpApp } from './server.js';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
/** Enough to show a client what to fix without echoing a whole hostile body back. */
const MAX_ISSUES = 10;

export interface StringIssue {
  field: string;
  message: string;
}

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why a string from a request is refused, or undefined: a C0 or C1 control character (U+0000–U+001F,
 * U+007F–U+009F), or a lone surrogate. `text`: TAB, LF and CR pass, because message text has them;
 * ids and query values never do.
 */
export function stringProblem(value: string, text: boolean): string | undefined {
  if (!value.isWellFormed()) return 'is not well-formed Unicode (it has a lone surrogate)';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const control = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    if (control && !(text && (code === TAB || code === LF || code === CR))) {
      return `contains the control character ${hex(code)}`;
    }
  }
  return undefined;
}

/**
 * Every refused string under `root`, keys included, named like validation errors (`body.messages.0.content`).
 * Iterative: a deeply nested JSON body must not overflow the stack.
 */
export function stringIssues(root: unknown, base: string, text: boolean): StringIssue[] {
  const issues: StringIssue[] = [];
  const pending: Array<{ value: unknown; field: string }> = [{ value: root, field: base }];
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    const { value, field } = pending.pop() as { value: unknown; field: string };
    if (typeof value === 'string') {
      const problem = stringProblem(value, text);
      if (problem) issues.push({ field, message: problem });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], field: `${field}.${i}` });
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, item] of Object.entries(value).reverse()) {
        const problem = stringProblem(key, false);
        if (problem) issues.push({ field, message: `has a key that ${problem}` });
        else pending.push({ value: item, field: `${field}.${key}` });
      }
    }
  }
  return issues.slice(0, MAX_ISSUES);
}

/**
 * Query values whose percent-encoding is not UTF-8 (`%ED%A0%80` is a lone surrogate, `%zz` nothing):
 * the query parser keeps them as they were written, so they would pass as plain text. In the path
 * the router refuses them itself (400 bad_request).
 */
export function undecodableQuery(url: string): StringIssue[] {
  const start = url.indexOf('?');
  if (start < 0) return [];
  const issues: StringIssue[] = [];
  for (const pair of url.slice(start + 1).split('&')) {
    const [name = '', value = ''] = pair.split(/=(.*)/s);
    const decoded = [name, value].map((part) => {
      try {
        return decodeURIComponent(part.replaceAll('+', ' '));
      } catch {
        return undefined;
      }
    });
    if (decoded.includes(undefined)) {
      const field =
        decoded[0] === undefined || stringProblem(decoded[0], false) ? 'query' : `query.${decoded[0]}`;
      issues.push({ field, message: 'is not valid percent-encoded UTF-8' });
    }
  }
  return issues;
}

function requestIssues(request: FastifyRequest): StringIssue[] {
  return [
    ...stringIssues(request.params, 'params', false),
    ...undecodableQuery(request.url),
    ...stringIssues(request.query, 'query', false),
    ...stringIssues(request.body, 'body', true),
  ];
}

/**
 * Refuses, before validation and before any handler runs, a request whose path parameters, query or
 * JSON body holds a string with a control character or a lone surrogate: 400 `validation_failed`
 * naming each field. Headers are not checked here: Node refuses C0 controls in them, and the ones
 * Berth reads have patterns of their own (`x-request-id`, `Idempotency-Key`: printable ASCII).
 */
export function registerStringGuard(app: HttpApp): void {
  app.addHook('preValidation', async (request) => {
    const issues = requestIssues(request);
    const first = issues[0];
    if (first) {
      throw new AppError('validation_failed', `Invalid request: ${first.field} ${first.message}`, {
        details: issues.slice(0, MAX_ISSUES),
      });
    }
  });
}
