// GET /ops/groups/:groupId (?a=REF&b=REF explains that pair): a group's page, behind the login.
import express, { type Router } from 'express';
import type { Config } from '../src/shared/config.ts';
import type { Pool } from '../src/shared/db.ts';
import { isUuid } from '../src/groups/catalog.ts';
import { currentUser } from './auth.ts';
import { readGroupPage } from './groupData.ts';
import { renderGroupPage } from './groupPage.ts';
import { sendPage } from './layout.ts';

/** Longest reference id the explain form accepts (nodes.reference_id is VARCHAR(255)). */
const REF_MAX = 255;

export function groupRoutes(deps: { cfg: Config; pool: Pool }): Router {
  const router = express.Router();
  router.get('/ops/groups/:groupId', async (req, res) => {
    const { groupId } = req.params;
    const a = typeof req.query.a === 'string' ? req.query.a.trim().slice(0, REF_MAX) : '';
    const b = typeof req.query.b === 'string' ? req.query.b.trim().slice(0, REF_MAX) : '';
    const data = isUuid(groupId) ? await readGroupPage(deps.cfg, deps.pool, groupId, a && b ? { a, b } : null) : null;
    if (!data) {
      res.status(404).json({ error: `no group ${groupId}` });
      return;
    }
    sendPage(res, 200, renderGroupPage(data, currentUser(res)));
  });
  return router;
}
