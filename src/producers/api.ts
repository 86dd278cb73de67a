// The enqueue API (express): token-protected JSON endpoints that turn requests into jobs. Route
// modules (imports here; manual runs can be added the same way) are mounted behind one bearer
// authentication, one body limit and one JSON error format.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Router } from 'express';
import type { Config } from '../shared/config.ts';
import { createPool, type Pool } from '../shared/db.ts';
import { logger } from '../shared/logger.ts';
import { openQueue } from '../shared/queue.ts';
import { QUEUE } from '../shared/queues.ts';
import { jsonErrors, sendError } from './apiErrors.ts';
import { bearerAuth } from './bearerAuth.ts';
import { importRoutes } from './importRoutes.ts';
import { nodeRoutes } from './nodeRoutes.ts';
import { createRedis } from '../shared/redis.ts';
import { listenAddress } from '../shared/listenAddress.ts';

export function createApiApp(cfg: Config, routes: Router[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
    next();
  });
  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.use(bearerAuth(cfg));
  app.use(express.json({ limit: cfg.httpBodyLimit, strict: false }));
  for (const r of routes) app.use(r);
  app.use((req, res) => sendError(res, 404, 'not_found', `no route ${req.method} ${req.path}`));
  app.use(jsonErrors);
  return app;
}

export interface ApiServer {
  server: Server;
  port: number;
  /** the address listened on ('::' or '0.0.0.0': every interface) */
  address: string;
  close(): Promise<void>;
}

/** Starts the enqueue API on API_PORT (0: a free port) with its own pool and queue handles. */
export async function startApiServer(cfg: Config, opts: { pool?: Pool; extraRoutes?: Router[] } = {}): Promise<ApiServer> {
  const where = listenAddress({
    service: 'the enqueue API', credentialsSetting: 'API_TOKENS', hasCredentials: cfg.apiTokens.length > 0, authDisabled: cfg.authDisabled,
  });
  const pool = opts.pool ?? createPool(cfg);
  const importQueue = openQueue(cfg, QUEUE.import);
  const redis = createRedis(cfg);
  let app: Express;
  try {
    app = createApiApp(cfg, [importRoutes({ cfg, pool, importQueue }), nodeRoutes({ cfg, pool, redis }), ...(opts.extraRoutes ?? [])]);
  } catch (err) {
    redis.disconnect();
    await importQueue.close();
    if (!opts.pool) await pool.end();
    throw err;
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const s = where.host === undefined ? app.listen(cfg.apiPort, () => resolve(s)) : app.listen(cfg.apiPort, where.host, () => resolve(s));
    s.once('error', reject);
  });
  const { port, address } = server.address() as AddressInfo;
  if (where.warning) logger().warn(where.warning);
  logger().info({ port, address }, 'enqueue API listening');
  return {
    server,
    port,
    address,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      redis.disconnect();
      await importQueue.close();
      if (!opts.pool) await pool.end();
    },
  };
}
