import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureRoute {
  status?: number;
  contentType?: string;
  body?: string;
  /** Answer after this many ms. */
  delayMs?: number;
  /** Redirect (302) to this URL. */
  redirect?: string;
}

export interface FixtureSite {
  url: string;
  host: string;
  /** Requests seen per path. */
  hits: Map<string, number>;
  route(path: string, route: FixtureRoute): void;
  close(): Promise<void>;
}

export const articlePage = (title: string, sentences: string[]) =>
  `<!doctype html><html><head><title>${title}</title></head><body><nav>Home · About</nav><article><h1>${title}</h1>${sentences
    .map((s) => `<p>${s}</p>`)
    .join('')}</article><footer>© Fixture</footer></body></html>`;

/** A real HTTP server on loopback serving pages for fetch_url, counting every request. */
export async function startFixtureSite(): Promise<FixtureSite> {
  const routes = new Map<string, FixtureRoute>();
  const hits = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    const answer = () => {
      if (!route) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      if (route.redirect) return res.writeHead(302, { location: route.redirect }).end();
      res
        .writeHead(route.status ?? 200, { 'content-type': route.contentType ?? 'text/html; charset=utf-8' })
        .end(route.body ?? '');
    };
    if (route?.delayMs) setTimeout(answer, route.delayMs);
    else answer();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits,
    route: (path, route) => routes.set(path, route),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
