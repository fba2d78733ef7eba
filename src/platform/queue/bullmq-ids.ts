/**
 * BullMQ refuses custom job ids that read as integers ("42", which it keeps for its own ids) or
 * that contain ':' (its key separator), but Berth's job ids are any non-empty string. Every id
 * is stored as `j-` + the id with `%` and `:` percent-encoded: the prefix rules out integers,
 * the escaping rules out ':', and the mapping is one-to-one, so decoding gives the id back.
 *
 *   outbox-17 → j-outbox-17      42 → j-42      tenant:a → j-tenant%3Aa      50% → j-50%25
 */
const PREFIX = 'j-';

export function encodeJobId(id: string): string {
  return PREFIX + id.replaceAll('%', '%25').replaceAll(':', '%3A');
}

/** The Berth id of a stored job; an id that was not encoded (not Berth's) is returned as it is. */
export function decodeJobId(stored: string): string {
  if (!stored.startsWith(PREFIX)) return stored;
  return stored.slice(PREFIX.length).replace(/%(25|3A)/g, (code) => (code === '%25' ? '%' : ':'));
}
