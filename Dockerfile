# syntax=docker/dockerfile:1
# Multi-stage build: the build stage installs every dependency (native addons built), compiles the
# TypeScript into dist/ (`npm ci` runs the prepare script) and then drops the dev dependencies; the
# runtime stage runs the compiled code, as the unprivileged `node` user, which owns /data only.
# bench/ and tsx are not shipped: `matchflow bench` says so (the benchmarks run from a source checkout).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY dashboard ./dashboard
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production LMDB_PATH=/data/lmdb IMPORT_ROOT=/data/imports
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends tini postgresql-client && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data/lmdb /data/imports && chown -R node:node /data
# The app stays root's: the user it runs as reads it and cannot change it (only /data is that user's).
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/matchflow.js"]
CMD ["--help"]
