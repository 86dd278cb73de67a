import { resolveDomain, resolveGroup, type GroupRow } from '../groups/catalog.ts';
import type { Pool } from '../shared/db.ts';
import { UsageError } from './command.ts';

/** The group named by a command's --group (id or name) and --domain; a usage error when there is none. */
export async function findGroup(pool: Pool, group: string, domain?: string): Promise<GroupRow> {
  if (domain) {
    const domainId = await resolveDomain(pool, domain);
    if (!domainId) throw new UsageError(`no domain '${domain}'`);
    const g = await resolveGroup(pool, domainId, group);
    if (!g) throw new UsageError(`no group '${group}' in domain '${domain}'`);
    return g;
  }
  const { rows } = await pool.query(
    'SELECT id, domain_id, name, match_type FROM matching_groups WHERE id::text = $1 OR name = $1', [group]);
  if (rows.length === 0) throw new UsageError(`no group '${group}'`);
  if (rows.length > 1) throw new UsageError(`group name '${group}' is in several domains: add --domain`);
  return { id: rows[0].id, domainId: rows[0].domain_id, name: rows[0].name, matchType: rows[0].match_type };
}
