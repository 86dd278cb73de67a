// /healthz (the process answers) and /readyz (PostgreSQL and Redis answer through the
// dashboard's own pool and connection), outside authentication for orchestrators. The readiness
// check is the one worker processes serve (src/ops/readiness.ts).
import express, { type Router } from 'express';
import { readiness, type ReadinessDeps } from '../src/ops/readiness.ts';

export type { ReadinessDeps };

export function healthRoutes(deps: ReadinessDeps): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const r = await readiness(deps);
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  });
  return router;
}
