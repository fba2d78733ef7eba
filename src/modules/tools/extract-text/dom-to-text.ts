/** The part of a DOM node that text extraction reads; linkedom's nodes have it. */
export interface TextSource {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<TextSource>;
}

const TEXT_NODE = 3;
const CDATA_NODE = 4;
const ELEMENT_NODE = 1;

const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  'svg',
  'canvas',
]);
/** For a whole HTML page: its head (title included) is metadata, not text. */
export const SKIPPED_IN_PAGE: ReadonlySet<string> = new Set([...SKIPPED, 'head', 'title']);
const PARAGRAPHS = new Set(
  'p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl figure section article header footer aside nav main'.split(
    ' ',
  ),
);
const BLOCKS = new Set(
  'div li dt dd tr caption figcaption address details summary form fieldset hr'.split(' '),
);

type Step = TextSource | { end: string; pre: boolean };

/**
 * Text of a subtree with the line structure a reader sees: blocks on their own lines, paragraphs
 * apart, whitespace collapsed except in <pre>. Iterative, so depth cannot overflow the stack.
 * Scripts, styles and other non-text content are skipped: their text is never part of the result.
 */
export function domToText(root: TextSource, skipped: ReadonlySet<string> = SKIPPED): string {
  const out: string[] = [];
  const steps: Step[] = [root];
  let preDepth = 0;
  for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
    if ('end' in step) {
      out.push(step.end);
      if (step.pre) preDepth--;
      continue;
    }
    if (step.nodeType === TEXT_NODE || step.nodeType === CDATA_NODE) {
      const value = step.nodeValue ?? '';
      out.push(
        preDepth > 0
          ? value.replace(/\n/g, '\u2028').replace(/[ \t]/g, '\ue000')
          : value.replace(/\s+/g, ' '),
      );
      continue;
    }
    const name = step.nodeType === ELEMENT_NODE ? step.nodeName.toLowerCase() : '';
    if (skipped.has(name)) continue;
    const gap = name === 'br' ? '\n' : PARAGRAPHS.has(name) ? '\n\n' : BLOCKS.has(name) ? '\n' : '';
    out.push(gap);
    if (name === 'pre') preDepth++;
    steps.push({ end: name === 'br' ? '' : gap, pre: name === 'pre' });
    // linkedom builds childNodes afresh on every access: read it once.
    const children = step.childNodes;
    for (let index = children.length - 1; index >= 0; index--) {
      const child = children[index];
      if (child) steps.push(child);
    }
  }
  return tidy(out.join(''));
}

// Inside <pre>, newlines travel as U+2028 and spaces as U+E000, so tidying leaves them alone.
const tidy = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/[^\S\u2028]+/g, ' ').replace(/^ | $/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replace(/\u2028/g, '\n')
    .replace(/\ue000/g, ' ');
