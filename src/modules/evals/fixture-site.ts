import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FixturePage } from './suite.schema.js';

export interface FixtureSite {
  /** http://127.0.0.1:<port>, what `{{fixtures}}` becomes. */
  url: string;
  /** 127.0.0.1:<port>, for BERTH_FETCH_ALLOW. */
  host: string;
  close(): Promise<void>;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** An article page as a reader-mode extractor expects one: navigation and footer around the text. */
export function articleHtml(page: FixturePage): string {
  const title = escapeHtml(page.title ?? 'Fixture');
  const paragraphs = (page.paragraphs ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><nav><a href="/">Home</a> · <a href="/about">About</a></nav>
<article><h1>${title}</h1>
${paragraphs}
</article><footer>Fixture page of a Berth eval suite</footer></body></html>`;
}

/**
 * Serves a suite's fixture pages on loopback for the in-process runner, whose fetch_url is allowed
 * to reach this one port (and no other loopback address).
 */
export async function serveFixtures(pages: Record<string, FixturePage>): Promise<FixtureSite> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const page = pages[path];
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (page.redirect) {
      res.writeHead(302, { location: page.redirect }).end();
      return;
    }
    const body = page.body ?? articleHtml(page);
    res.writeHead(page.status, { 'content-type': page.content_type }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
