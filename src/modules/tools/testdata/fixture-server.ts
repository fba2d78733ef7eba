import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import zlib from 'node:zlib';

export interface FixtureServer {
  port: number;
  origin: string;
  /** Paths requested so far, to prove a refused URL never reached the server. */
  hits: string[];
  close(): Promise<void>;
}

export const articleHtml = readFileSync(new URL('./article.html', import.meta.url), 'utf8');

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const zeros = () =>
  new Readable({
    read() {
      this.push(Buffer.alloc(64 * 1024));
    },
  });

const compressors: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGzip(),
  deflate: () => zlib.createDeflate(),
  br: () => zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }),
};

const send = (res: ServerResponse, status: number, type: string | null, body: string | Buffer) => {
  res.writeHead(status, type ? { 'content-type': type } : {});
  res.end(body);
};

const routes: Record<string, Handler> = {
  '/article': (_req, res) => send(res, 200, 'text/html; charset=utf-8', articleHtml),
  '/plain': (_req, res) => send(res, 200, 'text/plain', 'plain text body'),
  '/json': (_req, res) => send(res, 200, 'application/json', '{"answer":42}'),
  '/image.png': (_req, res) => send(res, 200, 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47])),
  '/no-type': (_req, res) => send(res, 200, null, 'mystery'),
  '/latin1': (_req, res) => send(res, 200, 'text/plain; charset=iso-8859-1', Buffer.from('café', 'latin1')),
  '/accents': (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'é'.repeat(1000)),
  '/ua': (req, res) => send(res, 200, 'text/plain', req.headers['user-agent'] ?? ''),
  '/status': (_req, res, url) => send(res, Number(url.searchParams.get('code')), 'text/plain', 'status'),
  '/redirect': (_req, res, url) => {
    res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
    res.end();
  },
  '/chain': (_req, res, url) => {
    const left = Number(url.searchParams.get('n'));
    if (left <= 0) return send(res, 200, 'text/plain', 'end of chain');
    res.writeHead(302, { location: `/chain?n=${left - 1}` });
    res.end();
  },
  '/bomb': (_req, res, url) => {
    const encoding = url.searchParams.get('encoding') ?? 'gzip';
    const compress = compressors[encoding];
    if (!compress) return send(res, 400, 'text/plain', 'unknown encoding');
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': encoding });
    pipeline(zeros(), compress(), res, () => {});
  },
  // A gzip header, then empty stored deflate blocks forever: endless wire bytes, no output.
  '/gzip-nothing': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.write(Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]));
    const emptyBlocks = Buffer.from('000000ffff'.repeat(13_000), 'hex');
    const stream = new Readable({
      read() {
        this.push(emptyBlocks);
      },
    });
    pipeline(stream, res, () => {});
  },
  '/corrupt-gzip': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(Buffer.from('this is not gzip at all'));
  },
  '/huge': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    pipeline(zeros(), res, () => {});
  },
  '/slow-body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('x'), 50);
    res.on('close', () => clearInterval(timer));
  },
  '/slow-headers': () => {},
};

/** A real HTTP server on 127.0.0.1, port 0, serving the pages the fetch tests need. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    hits.push(url.pathname);
    const handler = routes[url.pathname];
    if (handler) handler(req, res, url);
    else send(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fixture server has no TCP port');
  const { port } = address;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
