import { Readability } from '@mozilla/readability';
import { DOMParser } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { articleHtml } from '../testdata/fixture-server.js';
import { domToText, type TextSource } from './dom-to-text.js';
import { createExtractTextTool } from './extract-text.js';
import { measureMarkup } from './markup-shape.js';

const unlimited = { maxDepth: Number.POSITIVE_INFINITY, maxElements: Number.POSITIVE_INFINITY };

/** Depth and element count of the tree linkedom really builds, below the document node. */
function parsedShape(html: string) {
  const document: TextSource = new DOMParser().parseFromString(html, 'text/html');
  let depth = 0;
  let elements = 0;
  const stack: [TextSource, number][] = [[document, 0]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, level] = entry;
    if (node.nodeType === 1) elements++;
    depth = Math.max(depth, level);
    for (const child of Array.from(node.childNodes)) if (child.nodeType === 1) stack.push([child, level + 1]);
  }
  return { depth, elements };
}

describe('measureMarkup', () => {
  it.each([
    ['the article fixture', articleHtml],
    ['nested divs', `<html><body>${'<div>'.repeat(300)}x${'</div>'.repeat(300)}</body></html>`],
    [
      'unclosed paragraphs and list items',
      '<body><p>a<p>b<ul><li>1<li>2<li><ul><li>deep</ul></ul><p>c</body>',
    ],
    ['implied table structure', '<table><tr><td>a<td>b<tr><td>c</table>'],
    ['mis-nested inline tags', '<body><b><i><u>x</b>y<div>z</div></body>'],
    ['self-closing tags in and out of SVG', '<body><div/><div/><svg><path/><g><path/></g></svg><br/></body>'],
    [
      'comments, scripts and CDATA-like text',
      '<body><!-- <div><div> --><script>"<div><div>"</script><p>x</p></body>',
    ],
  ])('matches the tree linkedom builds for %s', (_name, html) => {
    expect(measureMarkup(html, unlimited)).toEqual(parsedShape(html));
  });

  it('stops counting once a limit is passed', () => {
    const html = '<div>'.repeat(1_000_000);
    expect(measureMarkup(html, { maxDepth: 10, maxElements: 100 })).toEqual({ depth: 11, elements: 11 });
  });

  it('reads XML without HTML rules', () => {
    expect(measureMarkup('<a><p><p><br></br><x/></p></p></a>', unlimited, 'xml')).toEqual({
      depth: 4,
      elements: 5,
    });
  });
});

// Why the depth guard exists: linkedom parses deep trees (slowly) and the iterative walk copes,
// but Readability recurses and overflows the stack.
describe('deep nesting without the guard', () => {
  const deep = `<html><body>${'<div>'.repeat(10_000)}x${'</div>'.repeat(10_000)}</body></html>`;

  it('parses in linkedom and walks iteratively', () => {
    expect(domToText(new DOMParser().parseFromString(deep, 'text/html'))).toBe('x');
  });

  it('overflows the stack in Readability', () => {
    expect(() => new Readability(new DOMParser().parseFromString(deep, 'text/html')).parse()).toThrow(
      RangeError,
    );
  });

  it('still yields the text when Readability throws', async () => {
    const tool = createExtractTextTool({ maxDepth: 20_000 });
    const ctx = { signal: new AbortController().signal, idempotencyKey: 'k' };
    expect(await tool.run({ content: deep, contentType: 'text/html' }, ctx)).toMatchObject({
      ok: true,
      value: { text: 'x' },
    });
  });
});
