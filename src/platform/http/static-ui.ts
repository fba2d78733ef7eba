import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { markRoutesPublic } from './access.js';
import type { HttpApp } from './server.js';

export interface StaticUiOptions {
  /** Folders that may hold the built UI (index.html + assets/), tried in order; the first with an index.html wins. */
  roots: string[];
  /** Client-side routes answered with index.html besides `/`, e.g. `/chat/*`. Never put `/api/*` here. */
  spaRoutes: string[];
}

// Model output is rendered in this page; the policy makes any markup that slips through inert.
const htmlHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const notBuiltPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Berth: UI not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The web UI is not built</h1>
<p>Berth is running, but it cannot find its built UI. Run <code>npm run build</code> (or <code>npm ci</code>, which builds it) and restart.</p>
<p>The API works meanwhile: <a href="/api/openapi.json">/api/openapi.json</a>, <a href="/readyz">/readyz</a>.</p>
</body></html>`;

/**
 * Serves the built single-page UI: its files as they are, and index.html for `/` and the client routes.
 * Paths that are neither (e.g. `/api/nope`) keep the JSON 404 of the not-found handler.
 */
export async function registerStaticUi(app: HttpApp, options: StaticUiOptions): Promise<void> {
  // The page and its assets are public; the API calls the page makes are checked on their own routes.
  await app.register(async (scope) => {
    markRoutesPublic(scope);
    await registerUi(scope, options);
  });
}

async function registerUi(app: HttpApp, options: StaticUiOptions): Promise<void> {
  const root = options.roots.find((dir) => existsSync(join(dir, 'index.html')));
  const routes = ['/', ...options.spaRoutes];
  if (!root) {
    for (const url of routes) {
      app.get(url, { schema: { hide: true } }, (_request, reply) =>
        reply.status(503).type('text/html; charset=utf-8').headers(htmlHeaders).send(notBuiltPage),
      );
    }
    return;
  }
  const index = readFileSync(join(root, 'index.html'));
  const sendIndex = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').headers(htmlHeaders).send(index);
  await app.register(fastifyStatic, {
    root,
    // One route per built file instead of a catch-all, so unknown paths still get the JSON 404.
    wildcard: false,
    index: false,
    decorateReply: false,
    setHeaders(reply, path) {
      // Vite puts a content hash in every file name under assets/.
      if (path.endsWith('.html')) {
        reply.headers(htmlHeaders);
        return;
      }
      const immutable = path.startsWith(join(root, 'assets'));
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  for (const url of routes) {
    app.get(url, { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  }
}
