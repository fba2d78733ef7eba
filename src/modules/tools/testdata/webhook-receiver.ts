import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

/** One POST the receiver got, as it arrived. */
export interface Delivery {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  port: number;
  origin: string;
  /** Every request received, in order: counts prove an effect happened once (or never). */
  deliveries: Delivery[];
  close(): Promise<void>;
}

// Paths choose the answer, so one receiver serves every case of a test file.
function answer(path: string, res: ServerResponse): void {
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) {
    res.writeHead(Number(status[1]), { 'content-type': 'text/plain' });
    res.end(`answered ${status[1]}`);
    return;
  }
  if (path === '/redirect') {
    res.writeHead(307, { location: '/hook' });
    res.end();
    return;
  }
  if (path === '/silent') return; // never answers: the caller's timeout has to end it
  if (path === '/large') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('x'.repeat(100_000));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"received":true}');
}

/** A loopback HTTP server that records every request and answers by path (see `answer`). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      deliveries.push({ path, method: req.method ?? '', headers: req.headers, body });
      answer(path, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
