// Domains, groups and their configuration: looked up by UUID or by name, created on demand (names
// must be printable: src/groups/names.ts).
import type { Pool, PoolClient } from '../shared/db.ts';
import { assertPrintableName } from './names.ts';

export type MatchType = 'SYMMETRIC' | 'BIPARTITE';

export interface GroupRow {
  id: string;
  domainId: string;
  name: string;
  matchType: MatchType;
}

export interface GroupConfiguration {
  algorithmId: string;
  params: Record<string, unknown>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID_RE.test(s);

type Db = Pool | PoolClient;

/** A domain or group that cannot be used as asked (a group id of another domain): the message says why. */
export class CatalogError extends Error {}

/**
 * The domain with this id or name; created when `create` and missing. A new domain given by UUID
 * keeps that id, and the UUID is its name too.
 */
export async function resolveDomain(db: Db, idOrName: string, create = false): Promise<string | null> {
  if (isUuid(idOrName)) {
    const id = idOrName.toLowerCase();
    const { rows } = await db.query<{ id: string }>('SELECT id FROM domains WHERE id = $1', [id]);
    if (rows[0]) return rows[0].id;
    if (!create) return null;
    // the id (uuid) and the name (text) are two parameters: one parameter cannot be both types
    const { rows: made } = await db.query<{ id: string }>(
      'INSERT INTO domains (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id', [id, id]);
    if (made[0]) return made[0].id;
    // a concurrent request made it, or another domain already has this UUID as its name
    const { rows: again } = await db.query<{ id: string }>('SELECT id FROM domains WHERE id = $1', [id]);
    if (again[0]) return again[0].id;
    throw new CatalogError(`domain ${id}: another domain is named '${id}'`);
  }
  if (create) {
    assertPrintableName('domain', idOrName);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO domains (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, [idOrName]);
    return rows[0].id;
  }
  const { rows } = await db.query<{ id: string }>('SELECT id FROM domains WHERE name = $1', [idOrName]);
  return rows[0]?.id ?? null;
}

function toGroup(r: { id: string; domain_id: string; name: string; match_type: MatchType }): GroupRow {
  return { id: r.id, domainId: r.domain_id, name: r.name, matchType: r.match_type };
}

/**
 * The group with this id, or this name inside the domain; created when `create` and missing. A new
 * group given by UUID keeps that id (and the UUID is its name); a UUID of another domain's group
 * is refused (CatalogError).
 */
export async function resolveGroup(
  db: Db, domainId: string, idOrName: string, create?: { matchType?: MatchType },
): Promise<GroupRow | null> {
  const byId = isUuid(idOrName);
  if (byId) idOrName = idOrName.toLowerCase();
  const { rows } = await db.query(
    `SELECT id, domain_id, name, match_type FROM matching_groups WHERE domain_id = $1 AND ${byId ? 'id' : 'name'} = $2`,
    [domainId, idOrName]);
  if (rows[0]) return toGroup(rows[0]);
  if (!create) return null;
  if (byId) {
    const { rows: elsewhere } = await db.query<{ domain_id: string }>('SELECT domain_id FROM matching_groups WHERE id = $1', [idOrName]);
    if (elsewhere[0]) throw new CatalogError(`group ${idOrName} belongs to domain ${elsewhere[0].domain_id}, not to domain ${domainId}`);
  } else {
    assertPrintableName('group', idOrName);
  }
  const { rows: made } = await db.query(
    `INSERT INTO matching_groups (id, domain_id, name, match_type) VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4)
     ON CONFLICT (domain_id, name) DO UPDATE SET name = EXCLUDED.name
     RETURNING id, domain_id, name, match_type`,
    [byId ? idOrName : null, domainId, idOrName, create.matchType ?? 'SYMMETRIC']);
  return toGroup(made[0]);
}

export async function getGroup(db: Db, groupId: string): Promise<GroupRow | null> {
  const { rows } = await db.query('SELECT id, domain_id, name, match_type FROM matching_groups WHERE id = $1', [groupId]);
  return rows[0] ? toGroup(rows[0]) : null;
}

/** Sets (replaces) the group's priority-1 configuration. */
export async function configureGroup(db: Db, group: GroupRow, conf: GroupConfiguration): Promise<void> {
  await db.query(
    `INSERT INTO matching_configuration (group_id, domain_id, algorithm_id, priority, config_params)
     VALUES ($1, $2, $3, 1, $4)
     ON CONFLICT (group_id, priority) DO UPDATE SET algorithm_id = EXCLUDED.algorithm_id,
       config_params = EXCLUDED.config_params, updated_at = now()`,
    [group.id, group.domainId, conf.algorithmId, JSON.stringify(conf.params)]);
}

/** The group's highest-priority configuration, or null when none is set. */
export async function groupConfiguration(db: Db, groupId: string): Promise<GroupConfiguration | null> {
  const { rows } = await db.query<{ algorithm_id: string; config_params: Record<string, unknown> }>(
    'SELECT algorithm_id, config_params FROM matching_configuration WHERE group_id = $1 ORDER BY priority LIMIT 1', [groupId]);
  return rows[0] ? { algorithmId: rows[0].algorithm_id, params: rows[0].config_params } : null;
}
