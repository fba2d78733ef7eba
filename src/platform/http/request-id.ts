import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
// Accept a caller's id only if it is short and plain, so it cannot forge log lines or headers.
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** A fresh id, for a request that brings none (or, like a request Node could not parse, has no headers to read). */
export const newRequestId = (): string => randomUUID();

export function requestIdFrom(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && acceptable.test(given) ? given : newRequestId();
}
