// Bull Board for every queue, twice: a writable board for operators and a read-only one (its
// queue adapters in readOnlyMode, so the UI offers no pause, retry, promote or clean) for
// everyone else. /board sends each user to the board of their role.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Router } from 'express';
import { currentUser, logMutations, refuseMutationsUnlessOperator, requireRole } from './auth.ts';

export const BOARD_PATH = '/board';
export const OPERATOR_BOARD_PATH = `${BOARD_PATH}/operator`;
export const READONLY_BOARD_PATH = `${BOARD_PATH}/readonly`;

function boardRouter(queues: readonly Queue[], basePath: string, readOnlyMode: boolean): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode })),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: readOnlyMode ? 'matchflow (read-only)' : 'matchflow',
        hideDocsLink: true,
        miscLinks: [{ text: 'Ops page', url: '/ops' }, { text: 'Log out', url: '/logout' }],
      },
    },
  });
  return serverAdapter.getRouter() as Router;
}

/**
 * Bull Board's pages load their scripts, styles and fonts from its own static files and talk to
 * its own API: nothing else may load or run (its stylesheet's web fonts fall back to local ones).
 */
export const BOARD_CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** Mounted after requireUser. */
export function boardRoutes(queues: readonly Queue[]): Router {
  const router = express.Router();
  router.use(BOARD_PATH, (_req, res, next) => {
    res.set('Content-Security-Policy', BOARD_CONTENT_SECURITY_POLICY);
    next();
  });
  router.get(BOARD_PATH, (_req, res) => {
    res.redirect(303, `${currentUser(res).role === 'operator' ? OPERATOR_BOARD_PATH : READONLY_BOARD_PATH}/`);
  });
  // Enforced here, not by the UI: a read-only user reaches neither the operator board nor any
  // mutating API route, whatever request they craft.
  router.use(OPERATOR_BOARD_PATH, (req, res, next) => {
    if (currentUser(res).role !== 'operator' && req.method === 'GET' && !req.path.startsWith('/api/')) {
      return res.redirect(303, `${READONLY_BOARD_PATH}${req.path}`);
    }
    next();
  }, requireRole('operator'), logMutations, boardRouter(queues, OPERATOR_BOARD_PATH, false));
  router.use(READONLY_BOARD_PATH, refuseMutationsUnlessOperator, boardRouter(queues, READONLY_BOARD_PATH, true));
  return router;
}
