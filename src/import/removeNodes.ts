// Removing people from a group (a person who leaves, or asks to be forgotten): the nodes, every
// potential and perfect match that names them, their reserve entries and their participation
// history go in one transaction. The nodes that lose a potential match are marked unprocessed, so
// that the group's next incremental cycle refills their top-K (docs/architecture.md, "Incremental
// cycles"). The group's cycle lock is held meanwhile, and the write is fenced with its token, so
// that no cycle writes the removed nodes back.
import type { Config } from '../shared/config.ts';
import { coordinationContext } from '../shared/coordination/context.ts';
import { admitFencedWrite } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { acquireLock } from '../shared/coordination/mutex.ts';
import { withTransaction, type Pool } from '../shared/db.ts';
import type { Redis } from 'ioredis';

export type RemoveOutcome =
  | { status: 'removed'; removed: number; neighboursToRefill: number; perfectMatches: number }
  | { status: 'unknown'; unknown: string[] }
  | { status: 'busy' };

export interface RemoveDeps {
  cfg: Config;
  pool: Pool;
  redis: Redis;
}

/**
 * Removes the nodes with these reference ids from the group, all or none: when any is not in the
 * group, nothing is removed and the unknown ones are returned. `waitMs`: how long to wait for a
 * running cycle of the group to end.
 */
export async function removeNodes(deps: RemoveDeps, group: { id: string; domainId: string }, referenceIds: string[], waitMs: number): Promise<RemoveOutcome> {
  const refs = [...new Set(referenceIds)];
  const ctx = { ...coordinationContext(deps.cfg, deps.redis), owner: 'nodes remove' };
  const lock = await acquireLock(ctx, RESOURCE.groupCycle(group.id).name, { ttlMs: deps.cfg.groupLockTtlMs, autoRefresh: true, waitMs });
  if (!lock) return { status: 'busy' };
  try {
    return await withTransaction(deps.pool, async (c) => {
      // the newest token for the group: a cycle that held the lock before cannot write any more
      await admitFencedWrite(c, RESOURCE.groupCycle(group.id), lock.token);
      const { rows: known } = await c.query<{ reference_id: string }>(
        'SELECT reference_id FROM nodes WHERE group_id = $1 AND domain_id = $2 AND reference_id = ANY($3::varchar[]) FOR UPDATE',
        [group.id, group.domainId, refs]);
      if (known.length < refs.length) {
        const found = new Set(known.map((r) => r.reference_id));
        return { status: 'unknown', unknown: refs.filter((r) => !found.has(r)) };
      }
      await c.query('DELETE FROM potential_matches WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [group.id, refs]);
      const { rows: lost } = await c.query<{ reference_id: string }>(
        'DELETE FROM potential_matches WHERE group_id = $1 AND matched_reference_id = ANY($2::varchar[]) RETURNING reference_id', [group.id, refs]);
      await c.query('DELETE FROM potential_match_reserve WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [group.id, refs]);
      const perfect = await c.query(
        'DELETE FROM perfect_matches WHERE group_id = $1 AND (reference_id = ANY($2::varchar[]) OR matched_reference_id = ANY($2::varchar[]))',
        [group.id, refs]);
      // match_participation_history goes with its nodes (ON DELETE CASCADE)
      await c.query('DELETE FROM nodes WHERE group_id = $1 AND domain_id = $2 AND reference_id = ANY($3::varchar[])', [group.id, group.domainId, refs]);
      const neighbours = [...new Set(lost.map((r) => r.reference_id))];
      if (neighbours.length) {
        await c.query('UPDATE nodes SET processed = false WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [group.id, neighbours]);
      }
      return { status: 'removed', removed: refs.length, neighboursToRefill: neighbours.length, perfectMatches: perfect.rowCount ?? 0 };
    });
  } finally {
    await lock.release().catch(() => undefined);
  }
}
