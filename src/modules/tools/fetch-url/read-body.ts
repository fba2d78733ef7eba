import type { IncomingMessage } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import zlib from 'node:zlib';
import { ok } from '../../../platform/errors.js';
import { type ToolResult, toolFailure } from '../tool.js';

export interface Body {
  text: string;
  /** Decoded bytes kept (after decompression, before charset decoding). */
  bytes: number;
  truncated: boolean;
}

const decoders: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * Reads at most `maxBytes` of the decoded body, decompressing as a stream: a zip bomb stops at the
 * cap, not after inflating. Wire bytes are capped too, for a compressed stream that never yields output.
 */
export async function readBody(response: IncomingMessage, maxBytes: number): Promise<ToolResult<Body>> {
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const makeDecoder = decoders[encoding];
  if (!makeDecoder && encoding !== 'identity') {
    response.destroy();
    return toolFailure('unsupported_content_encoding', `Content-Encoding "${encoding}" is not supported`, {
      details: { encoding },
    });
  }
  let wireBytes = 0;
  if (makeDecoder) {
    response.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (wireBytes > maxBytes) response.destroy();
    });
  }
  const source: Readable = makeDecoder ? pipeline(response, makeDecoder(), () => {}) : response;
  try {
    const read = await collect(source, maxBytes);
    // Destroyed for sending too many compressed bytes: what was decoded so far is the (cut) body.
    if (read.failed && wireBytes <= maxBytes) return readFailure(encoding, read.error);
    const truncated = read.truncated || read.failed;
    const text = decodeText(
      Buffer.concat(read.chunks, read.kept),
      response.headers['content-type'],
      truncated,
    );
    return ok({ text, bytes: read.kept, truncated });
  } finally {
    response.destroy();
  }
}

interface Collected {
  chunks: Buffer[];
  kept: number;
  truncated: boolean;
  failed: boolean;
  error?: unknown;
}

async function collect(source: AsyncIterable<Buffer>, maxBytes: number): Promise<Collected> {
  const chunks: Buffer[] = [];
  let kept = 0;
  try {
    for await (const chunk of source) {
      const room = maxBytes - kept;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        return { chunks, kept: maxBytes, truncated: true, failed: false };
      }
      chunks.push(chunk);
      kept += chunk.length;
    }
    return { chunks, kept, truncated: false, failed: false };
  } catch (error) {
    return { chunks, kept, truncated: false, failed: true, error };
  }
}

function readFailure(encoding: string, error: unknown): ToolResult<never> {
  const message = error instanceof Error ? error.message : String(error);
  const zlibError = error instanceof Error && 'code' in error && String(error.code).startsWith('Z_');
  return zlibError
    ? toolFailure('fetch_failed', `The ${encoding} body could not be decoded: ${message}`)
    : toolFailure('fetch_failed', `Reading the body failed: ${message}`, { retryable: true });
}

function decodeText(buffer: Buffer, contentType: string | undefined, truncated: boolean): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  // Streaming mode drops a multi-byte character cut in half by truncation instead of emitting U+FFFD.
  return decoder.decode(buffer, { stream: truncated });
}
