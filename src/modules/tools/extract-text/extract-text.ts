import { z } from 'zod';
import { ok } from '../../../platform/errors.js';
import { defineTool, type ToolResult, toolFailure } from '../tool.js';
import { contentKind, prettyJson } from './content-kind.js';
import { measureMarkup } from './markup-shape.js';
import { type Extracted, htmlToText, xmlToText } from './markup-text.js';

export interface ExtractTextOptions {
  /** Longest content accepted, in characters; longer fails `input_too_large`. Default 2 MiB (2,097,152). */
  maxInputChars?: number;
  /** Deepest element nesting parsed; deeper fails `content_too_complex`. Default 256. */
  maxDepth?: number;
  /** Most elements parsed; more fails `content_too_complex`. Default 100,000. */
  maxElements?: number;
  /** Past this many elements reader mode is skipped and the whole body's text returned. Default 20,000. */
  readabilityMaxElements?: number;
  /** Default 10 s. */
  timeoutMs?: number;
}

const input = z.strictObject({
  content: z.string().describe('The document: HTML, XML, JSON, Markdown or plain text'),
  contentType: z
    .string()
    .max(256)
    .optional()
    .describe('Its media type, e.g. the contentType fetch_url returned'),
  url: z
    .string()
    .max(4096)
    .optional()
    .describe('Where it came from; used to guess the type when none is given'),
});

const output = z.object({
  title: z.string().nullable(),
  text: z.string(),
  excerpt: z.string().optional(),
  length: z.number().int().nonnegative(),
});

export type ExtractTextOutput = z.output<typeof output>;

const result = ({ title, text, excerpt }: Extracted): ExtractTextOutput => ({
  title,
  text,
  ...(excerpt ? { excerpt } : {}),
  length: text.length,
});

/** Readable text and title from a fetched document. The text is returned as data, never interpreted. */
export function createExtractTextTool(options: ExtractTextOptions = {}) {
  const maxInputChars = options.maxInputChars ?? 2 * 1024 * 1024;
  const limits = { maxDepth: options.maxDepth ?? 256, maxElements: options.maxElements ?? 100_000 };
  const readabilityMaxElements = options.readabilityMaxElements ?? 20_000;
  return defineTool({
    name: 'extract_text',
    description:
      'Turn a document into readable text: the main article text and title of an HTML page, the text of XML, ' +
      'pretty-printed JSON, or Markdown and plain text unchanged.',
    input,
    output,
    sideEffects: false,
    timeoutMs: options.timeoutMs ?? 10_000,
    // Output text is never longer than the input; JSON escaping can grow it up to six-fold.
    maxOutputBytes: maxInputChars * 6 + 64 * 1024,
    async run({ content, contentType, url }): Promise<ToolResult<ExtractTextOutput>> {
      if (content.length > maxInputChars) {
        return toolFailure(
          'input_too_large',
          `The content is ${content.length} characters, over ${maxInputChars}`,
          {
            details: { length: content.length, limit: maxInputChars },
          },
        );
      }
      const kind = contentKind(content, contentType, url);
      if (kind === null) {
        return toolFailure('unsupported_content_type', `Text cannot be extracted from ${contentType}`, {
          details: { contentType },
        });
      }
      if (kind === 'text') return ok(result({ title: null, text: content }));
      if (kind === 'json') return ok(result({ title: null, text: prettyJson(content, maxInputChars) }));
      const shape = measureMarkup(content, limits, kind);
      if (shape.depth > limits.maxDepth || shape.elements > limits.maxElements) {
        return toolFailure(
          'content_too_complex',
          'The document nests too deeply or has too many elements to parse',
          {
            details: { ...shape, ...limits },
          },
        );
      }
      const extracted =
        kind === 'html' ? htmlToText(content, shape.elements, readabilityMaxElements) : xmlToText(content);
      return ok(result(extracted));
    },
  });
}
