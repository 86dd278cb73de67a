// DELETE /v1/domains/:domain/groups/:group/nodes/:referenceId — removes a person from a group
// (src/import/removeNodes.ts). Domain and group are names or UUIDs.
import express, { type Router } from 'express';
import type { Redis } from 'ioredis';
import { resolveDomain, resolveGroup } from '../groups/catalog.ts';
import { removeNodes } from '../import/removeNodes.ts';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { ApiError } from './apiErrors.ts';

export interface NodeRoutesDeps {
  cfg: Config;
  pool: Pool;
  redis: Redis;
}

/** How long a request waits for a running cycle of the group before answering 409. */
const CYCLE_WAIT_MS = 5000;

export function nodeRoutes(deps: NodeRoutesDeps): Router {
  const router = express.Router();
  router.delete('/v1/domains/:domain/groups/:group/nodes/:referenceId', async (req, res) => {
    const { domain, group: groupName, referenceId } = req.params;
    const domainId = await resolveDomain(deps.pool, domain);
    const group = domainId ? await resolveGroup(deps.pool, domainId, groupName) : null;
    if (!group) throw new ApiError(404, 'not_found', `no group '${groupName}' in domain '${domain}'`);
    const out = await removeNodes(deps, group, [referenceId], CYCLE_WAIT_MS);
    if (out.status === 'unknown') throw new ApiError(404, 'not_found', `no node '${referenceId}' in group '${group.name}'`);
    if (out.status === 'busy') {
      res.set('Retry-After', String(Math.ceil(deps.cfg.groupLockTtlMs / 1000)));
      throw new ApiError(409, 'cycle_running', `a potential cycle of group '${group.name}' is running; try again`);
    }
    res.json({ removed: referenceId, groupId: group.id, domainId: group.domainId, perfectMatchesRemoved: out.perfectMatches, nodesToRefill: out.neighboursToRefill });
  });
  return router;
}
