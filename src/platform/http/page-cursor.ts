import { AppError } from '../errors.js';

/** A position in a newest-first listing: the last row's (created_at, id), opaque to clients. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

export const encodeCursor = (row: PagePosition): string =>
  Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

/** The position a cursor from encodeCursor names; anything else is a 400 naming query.cursor. */
export function decodeCursor(cursor: string): PagePosition {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new AppError(
      'validation_failed',
      'Invalid request: query.cursor is not a cursor this API returned',
    );
  }
  return { createdAt, id };
}
