/** How big a tree a document would parse into. */
export interface MarkupShape {
  depth: number;
  elements: number;
}

export interface ShapeLimits {
  maxDepth: number;
  maxElements: number;
}

// The tree-building rules of htmlparser2, linkedom's parser, reduced to what decides depth.
const VOID = new Set(
  'area base basefont br col command embed frame hr img input isindex keygen link meta param source track wbr'.split(
    ' ',
  ),
);
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp']);
const FOREIGN = new Set(['svg', 'math']);
const INTEGRATION = new Set([
  'mi',
  'mo',
  'mn',
  'ms',
  'mtext',
  'annotation-xml',
  'foreignobject',
  'desc',
  'title',
]);
const closing = (openers: string, closed: string) =>
  openers.split(' ').map((name): [string, ReadonlySet<string>] => [name, new Set(closed.split(' '))]);
const IMPLIED_CLOSE = new Map([
  ...closing(
    'p h1 h2 h3 h4 h5 h6 address article aside blockquote details div dl fieldset figcaption figure footer form header hr main nav ol pre section table ul',
    'p',
  ),
  ...closing(
    'select input output button datalist textarea',
    'input option optgroup select button datalist textarea',
  ),
  ...closing('tr', 'tr th td'),
  ...closing('th', 'th'),
  ...closing('td', 'thead th td'),
  ...closing('body', 'head link script'),
  ...closing('li', 'li'),
  ...closing('option', 'option'),
  ...closing('optgroup', 'optgroup option'),
  ...closing('dd dt', 'dd dt'),
  ...closing('rt rp', 'rt rp'),
  ...closing('tbody tfoot', 'thead tbody'),
]);

class TreeShape {
  readonly #stack: string[] = [];
  readonly #foreign: boolean[] = [];
  elements = 0;
  depth = 0;

  constructor(readonly html: boolean) {}

  open(name: string, selfClosing: boolean): void {
    this.elements++;
    const closes = this.html ? IMPLIED_CLOSE.get(name) : undefined;
    while (closes?.has(this.#stack.at(-1) ?? '')) this.#stack.pop();
    this.depth = Math.max(this.depth, this.#stack.length + 1);
    if (this.html && VOID.has(name)) return;
    if (selfClosing && (!this.html || this.#foreign.at(-1))) return;
    this.#stack.push(name);
    if (this.html && FOREIGN.has(name)) this.#foreign.push(true);
    else if (this.html && INTEGRATION.has(name)) this.#foreign.push(false);
  }

  close(name: string): void {
    if (this.html && (FOREIGN.has(name) || INTEGRATION.has(name))) this.#foreign.pop();
    const at = this.#stack.lastIndexOf(name);
    if (at !== -1) this.#stack.length = at;
  }
}

const TAG_NAME = /[^\s/>]*/y;
const isLetter = (code: number) => (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);

/**
 * Measures the tree a document would parse into without building it: one linear pass that stops
 * once a limit is passed. Parsing first is not an option: htmlparser2 is quadratic in depth
 * (100k nested tags take seconds) and Readability recurses (10k levels overflow the stack).
 */
export function measureMarkup(
  markup: string,
  limits: ShapeLimits,
  mode: 'html' | 'xml' = 'html',
): MarkupShape {
  const text = markup.toLowerCase();
  const tree = new TreeShape(mode === 'html');
  let at = 0;
  while (tree.depth <= limits.maxDepth && tree.elements <= limits.maxElements) {
    const lt = text.indexOf('<', at);
    if (lt === -1) break;
    const next = text.charCodeAt(lt + 1);
    if (next === 0x21 || next === 0x3f) {
      at = skipDeclaration(text, lt);
      if (at === -1) break;
      continue;
    }
    const nameStart = next === 0x2f ? lt + 2 : lt + 1;
    const gt = isLetter(text.charCodeAt(nameStart)) ? text.indexOf('>', nameStart) : lt;
    if (gt === -1) break;
    at = gt + 1;
    if (gt === lt) continue;
    TAG_NAME.lastIndex = nameStart;
    const name = TAG_NAME.exec(text)?.[0] ?? '';
    if (next === 0x2f) tree.close(name);
    else tree.open(name, text.charCodeAt(gt - 1) === 0x2f);
    if (next !== 0x2f && tree.html && RAW_TEXT.has(name)) {
      at = text.indexOf(`</${name}`, at);
      if (at === -1) break;
    }
  }
  return { depth: tree.depth, elements: tree.elements };
}

/** Skips `<!-- -->`, `<![CDATA[ ]]>`, `<!DOCTYPE>` and `<?pi?>`; -1 when unterminated. */
function skipDeclaration(text: string, lt: number): number {
  const [start, end] = text.startsWith('<!--', lt)
    ? [lt + 4, '-->']
    : text.startsWith('<![cdata[', lt)
      ? [lt + 9, ']]>']
      : [lt + 2, '>'];
  const found = text.indexOf(end, start);
  return found === -1 ? -1 : found + end.length;
}
