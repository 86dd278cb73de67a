# syntax=docker/dockerfile:1
# Multi-stage build: dependencies are installed (and native addons built) in the first stage;
# the runtime stage runs as the unprivileged `node` user, which owns /data only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production LMDB_PATH=/data/lmdb IMPORT_ROOT=/data/imports
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends tini postgresql-client && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data/lmdb /data/imports && chown -R node:node /data
# The app stays root's: the user it runs as reads it and cannot change it (only /data is that user's).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY dashboard ./dashboard
COPY migrations ./migrations
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/matchflow.js"]
CMD ["--help"]
