// The dashboard's express app: health probes, the same-origin check of every unsafe request and
// the login form in front, everything else (the ops page, both Bull Boards) behind authentication.
import type { Queue } from 'bullmq';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { RedisClient } from '../src/shared/redis.ts';
import type { Config } from '../src/shared/config.ts';
import type { Pool } from '../src/shared/db.ts';
import { logger } from '../src/shared/logger.ts';
import { authRoutes, currentUser, requireUser, type AuthSettings } from './auth.ts';
import type { DashboardHttpSettings } from './httpSettings.ts';
import { loginThrottle } from './loginThrottle.ts';
import { sameOriginWrites } from './sameOrigin.ts';
import { sessionGenerations } from './sessionGenerations.ts';
import { boardRoutes } from './board.ts';
import { healthRoutes } from './health.ts';
import { readOpsData, type HoldView } from './opsData.ts';
import { HistogramCache } from './histogramCache.ts';
import { renderOpsPage } from './opsPage.ts';
import { sendPage } from './layout.ts';
import type { DashboardUser } from './users.ts';

export interface DashboardDeps {
  cfg: Config;
  http: DashboardHttpSettings;
  pool: Pool;
  redis: RedisClient;
  queues: readonly Queue[];
  users: readonly DashboardUser[];
  sessionSecret: Buffer;
  readHolds: () => Promise<HoldView[]>;
}

export function createDashboardApp(deps: DashboardDeps): Express {
  const { cfg } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Behind a trusted proxy, req.ip (logged, and throttled on) is the client's, and req.secure follows X-Forwarded-Proto.
  app.set('trust proxy', deps.http.trustProxy);
  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'same-origin' });
    next();
  });
  app.use(healthRoutes({ pool: deps.pool, redis: deps.redis, timeoutMs: cfg.healthCheckTimeoutMs }));
  app.use(sameOriginWrites);
  const auth: AuthSettings = {
    users: deps.users, secret: deps.sessionSecret, sessionTtlMs: cfg.dashboardSessionTtlSec * 1000, bodyLimit: cfg.httpBodyLimit,
    secureCookie: deps.http.secureCookie, throttle: loginThrottle(cfg, deps.redis), sessions: sessionGenerations(cfg, deps.redis),
  };
  app.use(authRoutes(auth));
  app.use(requireUser(auth));
  app.get('/', (_req, res) => res.redirect(303, '/ops'));
  const histograms = new HistogramCache(cfg.dashboardHistogramCacheSec * 1000);
  app.get('/ops', async (_req, res) => {
    const data = await readOpsData({ cfg, pool: deps.pool, redis: deps.redis, queues: deps.queues, readHolds: deps.readHolds, histograms });
    sendPage(res, 200, renderOpsPage(data, currentUser(res), cfg.dashboardRefreshSec));
  });
  app.use(boardRoutes(deps.queues));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    logger().error({ err, path: req.path }, 'dashboard request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error (see the dashboard log)' });
  };
  app.use(onError);
  return app;
}
