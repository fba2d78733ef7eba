/**
 * The arguments as indented JSON with every object's keys in RFC 8785 order (by UTF-16 code units),
 * the order the args hash is computed over; the store hands them back in its own order (jsonb).
 */
export function prettyCanonical(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, inner]) => [key, sortKeys(inner)]));
}
