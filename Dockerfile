# syntax=docker/dockerfile:1
# Berth's container image: deps → build → prod-deps → runtime. How to build, run and test it: docs/image.md.

# Base images are arguments so a machine that cannot pull from a registry can build against a local
# stand-in (scripts/image/build-standin-base.sh); the defaults are the official Node 24 LTS images.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=node:24-bookworm-slim

# ---- deps: every dependency, keyed only on the lockfile, so a source-only change reuses this layer.
FROM ${NODE_IMAGE} AS deps
# Empty by default. Behind a TLS-intercepting proxy pass the CA bundle's path (and mount it) so npm trusts it.
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /src
COPY package.json package-lock.json ./
# `npm ci` would run `prepare` (the build) before the sources are here; install without scripts,
# then run the two install scripts the build needs: the `node@24` devDependency fetching the Node
# binary every npm script runs on, and esbuild's binary check. (The others are optional native
# addons — libxmljs2, msgpackr-extract — that need a compiler and are not used by the build.)
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npm rebuild node esbuild \
  && rm -rf /root/.npm

# ---- build: `npm run build` is what `prepare` runs: dist/main.js and its chunks, dist/migrations, the PGlite template, dist/web.
FROM deps AS build
COPY . .
# The SBOM lists the production dependencies: the ones bundled into dist/main.js and the one copied beside it.
RUN npm run build && npm run sbom

# ---- prod-deps: only what dist/main.js loads at run time. The bundle inlines every dependency except
# @electric-sql/pglite (it loads its WASM from its own folder) and pg-native (optional, not used):
# copying that one package keeps the app's layers near 50 MB, where `npm ci --omit=dev` would add ~140 MB.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /out
COPY --from=deps /src/node_modules/@electric-sql/pglite node_modules/@electric-sql/pglite
# Source maps and type declarations are never read at run time.
RUN find node_modules \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.cts' \) -type f -exec rm -f {} + \
  && mkdir /out/data

# ---- runtime
FROM ${RUNTIME_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="Berth" \
  org.opencontainers.image.description="Self-hostable service for running AI agents in production" \
  org.opencontainers.image.licenses="Apache-2.0" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.source="${SOURCE}"
WORKDIR /app
# The app's files stay root-owned: the process (uid 1000) can read them but not change them.
COPY package.json ./
COPY bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=prod-deps /out/node_modules ./node_modules
# The embedded store's directory, owned by the process's user so a fresh volume is writable.
COPY --from=prod-deps --chown=1000:1000 /out/data /data
ENV HOST=0.0.0.0 PORT=8080 BERTH_DATA_DIR=/data NODE_ENV=production
VOLUME /data
# 8080: HTTP API and UI (start, api); 8081: /healthz /readyz /metrics of `berth worker`.
EXPOSE 8080 8081
USER 1000:1000
# Slim images have no curl; Node's fetch does. Healthy when /healthz answers on PORT (start, api)
# or on WORKER_PORT (worker), so one check serves every role.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env;Promise.any([e.PORT||8080,e.WORKER_PORT||8081].map(p=>fetch('http://127.0.0.1:'+p+'/healthz').then(r=>{if(!r.ok)throw r.status}))).then(()=>process.exit(0),()=>process.exit(1))"]
# Node is PID 1 without an init: Berth installs its own SIGTERM/SIGINT handlers, so `docker stop` drains and exits 0.
ENTRYPOINT ["node", "bin/berth.js"]
CMD ["start"]
