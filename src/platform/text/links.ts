import { LinkifyIt } from 'linkify-it';

// Only scheme-prefixed links (linkify-it's fuzzyLink is off by default): "example.com" in prose is
// no request to fetch it. Bare e-mail addresses are found (fuzzyEmail is on).
const linkify = new LinkifyIt();

export interface Link {
  kind: 'url' | 'email';
  /** The http(s) URL, or the bare address of an e-mail. */
  value: string;
  /** Where it starts and ends in the text. */
  index: number;
  lastIndex: number;
}

/**
 * The http(s) URLs and e-mail addresses in a text, in order, as linkify-it finds them: trailing
 * punctuation is left out, balanced brackets inside a URL are kept. Other schemes (ftp:, …) are not links here.
 */
export function linksIn(text: string): Link[] {
  return (linkify.match(text) ?? []).flatMap((match): Link[] => {
    const { index, lastIndex } = match;
    if (match.schema === 'mailto:')
      return [{ kind: 'email', value: match.url.slice('mailto:'.length), index, lastIndex }];
    if (match.schema === 'http:' || match.schema === 'https:')
      return [{ kind: 'url', value: match.url, index, lastIndex }];
    return [];
  });
}

/** The distinct http(s) URLs in a text, in order of first appearance. */
export function urlsIn(text: string): string[] {
  return [...new Set(linksIn(text).flatMap((link) => (link.kind === 'url' ? [link.value] : [])))];
}
