// GET /v1/groups, GET and PUT /v1/domains/:domain/groups/:group: a group's settings as the JSON
// form of a groups file's entry (src/groups/groupSpec.ts), checked by the same validator and
// applied by the same code as `matchflow groups apply`. Domain and group are names or UUIDs.
import express, { type Router } from 'express';
import { applyGroups } from '../groups/applyGroups.ts';
import { CatalogError, resolveDomain, resolveGroup } from '../groups/catalog.ts';
import { readGroupDocument } from '../groups/groupDocument.ts';
import { listGroups } from '../groups/groupList.ts';
import { formatPath, GroupSettingsError, readGroupSpec } from '../groups/groupSpec.ts';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { ApiError } from './apiErrors.ts';

export interface GroupRoutesDeps {
  cfg: Config;
  pool: Pool;
}

const NAME_MAX = 255;

function checkName(what: string, v: string): void {
  if (v.trim() === '' || v.length > NAME_MAX || v.includes('\u0000')) throw new ApiError(400, 'invalid_name', `a ${what} name has 1 to ${NAME_MAX} characters`);
}

export function groupRoutes(deps: GroupRoutesDeps): Router {
  const router = express.Router();

  router.get('/v1/groups', async (req, res) => {
    const domain = typeof req.query.domain === 'string' ? req.query.domain : undefined;
    res.json({ groups: await listGroups(deps.pool, domain) });
  });

  router.get('/v1/domains/:domain/groups/:group', async (req, res) => {
    const { domain, group: name } = req.params;
    const domainId = await resolveDomain(deps.pool, domain);
    const group = domainId ? await resolveGroup(deps.pool, domainId, name) : null;
    if (!group) throw new ApiError(404, 'not_found', `no group '${name}' in domain '${domain}'`);
    const base = { domainId: group.domainId, groupId: group.id, group: group.name };
    try {
      const { declared, effective } = await readGroupDocument(deps.cfg, deps.pool, group);
      res.json({ ...base, settings: effective, declared, problem: null });
    } catch (err) {
      if (!(err instanceof GroupSettingsError)) throw err;
      res.json({ ...base, settings: null, declared: null, problem: err.message });
    }
  });

  router.put('/v1/domains/:domain/groups/:group', async (req, res) => {
    if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'send the settings as Content-Type: application/json');
    const { domain, group } = req.params;
    checkName('domain', domain);
    checkName('group', group);
    const dryRun = req.query.dryRun === 'true';
    let spec;
    try {
      spec = readGroupSpec(req.body);
    } catch (err) {
      if (!(err instanceof GroupSettingsError)) throw err;
      res.status(400).json({ code: 'invalid_settings', message: err.message, field: formatPath(err.path) });
      return;
    }
    let report;
    try {
      report = await applyGroups(deps.cfg, deps.pool, [{ domain, group, spec }], { dryRun });
    } catch (err) {
      if (err instanceof CatalogError) throw new ApiError(400, 'invalid_group', err.message);
      throw err;
    }
    const g = report.groups[0];
    res.status(g.action === 'created' && !dryRun ? 201 : 200).json({
      groupId: dryRun && g.action === 'created' ? null : g.groupId,
      action: g.action, domainCreated: g.domainCreated, changes: g.changes, fullRecompute: g.fullRecompute, dryRun,
    });
  });

  return router;
}
