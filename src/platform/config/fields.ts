import { z } from 'zod';

// Field types every config section uses; each section lives with its feature.

export const positiveInt = z.coerce.number().int().positive();
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

// true/false from berth.yaml, or the text an environment variable holds (true, false, 1, 0); anything else is refused.
const flagWords: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };
export const flag = z.preprocess(
  (value) => (typeof value === 'string' ? (flagWords[value.trim().toLowerCase()] ?? value) : value),
  z.boolean(),
);

/** A list from berth.yaml, or comma-separated text from an environment variable. */
export const commaList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  z.array(z.string().min(1)),
);

// host:port or [v6]:port. The tools module parses the entries again and owns their meaning; this
// check only makes a typo a config error naming the variable instead of a crash at start.
const ALLOW_ENTRY = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]]+):(\d{1,5})$/;
/** host:port entries, e.g. an allow list of what a tool may reach. */
export const hostPortList = commaList.superRefine((entries, ctx) => {
  for (const entry of entries) {
    const port = Number(ALLOW_ENTRY.exec(entry)?.[2]);
    if (!(port >= 1 && port <= 65_535)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not host:port, e.g. 127.0.0.1:4567 or [::1]:8080`,
      });
    }
  }
});
