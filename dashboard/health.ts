// /healthz (the process answers) and /readyz (PostgreSQL and Redis answer through the
// dashboard's own pool and connection), outside authentication for orchestrators. The readiness
// check is the one worker processes serve (src/ops/readiness.ts): up or down, why only in the log.
import express, { type Router } from 'express';
import { logger } from '../src/shared/logger.ts';
import { readinessAnswer, type ReadinessDeps } from '../src/ops/readiness.ts';

export type { ReadinessDeps };

export function healthRoutes(deps: ReadinessDeps): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const r = await readinessAnswer(deps, logger());
    res.status(r.status).json(r.body);
  });
  return router;
}
