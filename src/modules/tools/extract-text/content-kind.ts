export type ContentKind = 'html' | 'xml' | 'json' | 'text';

const MEDIA_KINDS: Record<string, ContentKind> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/plain': 'text',
  'text/markdown': 'text',
  'text/x-markdown': 'text',
  'application/json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

const EXTENSION_KINDS: Record<string, ContentKind> = {
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  txt: 'text',
  md: 'text',
  markdown: 'text',
  json: 'json',
  xml: 'xml',
};

/** What the content is: from its media type when given, else from the URL's extension, else sniffed. */
export function contentKind(content: string, contentType?: string, url?: string): ContentKind | null {
  if (contentType) {
    const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (media.endsWith('+json')) return 'json';
    if (media.endsWith('+xml')) return 'xml';
    return MEDIA_KINDS[media] ?? null;
  }
  const extension = url ? /\.([a-z]+)$/i.exec(safePath(url))?.[1]?.toLowerCase() : undefined;
  const byExtension = extension ? EXTENSION_KINDS[extension] : undefined;
  return byExtension ?? sniff(content);
}

const safePath = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
};

function sniff(content: string): ContentKind {
  const start = content.slice(0, 512).trimStart().toLowerCase();
  if (start.startsWith('{') || start.startsWith('[')) return 'json';
  if (start.startsWith('<?xml') && !start.includes('<html')) return 'xml';
  return start.startsWith('<') ? 'html' : 'text';
}

/**
 * JSON re-indented for reading, unless that could grow it past `maxChars` (indentation grows with
 * nesting) or it does not parse: then the content comes back unchanged.
 */
export function prettyJson(content: string, maxChars: number): string {
  if (content.length * (jsonNesting(content) * 2 + 1) > maxChars) return content;
  try {
    return JSON.stringify(JSON.parse(content), null, 2);
  } catch {
    return content;
  }
}

function jsonNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (code === 0x7d || code === 0x5d) depth--;
  }
  return deepest;
}
