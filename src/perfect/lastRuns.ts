// Bookkeeping of perfect-match runs (last_run_perfect_matches) and the rule that decides whether
// a group needs one (nothing changed since the last run: nothing to do).
import type { Pool, PoolClient } from '../shared/db.ts';

type Db = Pool | PoolClient;

export interface PotentialRun {
  cycleId: string | null;
  status: string | null;
  finishedAt: Date | null;
  /** potential_matches rows of the group when the run finished */
  edgeCount: number | null;
}

export interface PerfectRun {
  status: string | null;
  potentialCycleId: string | null;
}

export async function lastPotentialRun(db: Db, groupId: string): Promise<PotentialRun | null> {
  const { rows } = await db.query(
    'SELECT processing_cycle_id, status, finished_at, edge_count FROM last_run_potential_matches WHERE group_id = $1', [groupId]);
  const r = rows[0];
  if (!r) return null;
  return { cycleId: r.processing_cycle_id, status: r.status, finishedAt: r.finished_at, edgeCount: r.edge_count === null ? null : Number(r.edge_count) };
}

export async function lastPerfectRun(db: Db, groupId: string): Promise<PerfectRun | null> {
  const { rows } = await db.query('SELECT status, potential_cycle_id FROM last_run_perfect_matches WHERE group_id = $1', [groupId]);
  return rows[0] ? { status: rows[0].status, potentialCycleId: rows[0].potential_cycle_id } : null;
}

export type RunDecision = { run: true; potentialCycleId: string } | { run: false; reason: string };

/** Pure: run only when the potential run is COMPLETED and newer than what the last perfect run consumed. */
export function decidePerfectRun(potential: PotentialRun | null, perfect: PerfectRun | null, force = false): RunDecision {
  if (!potential || potential.status !== 'COMPLETED' || !potential.cycleId) {
    return { run: false, reason: `potential run is ${potential?.status ?? 'missing'}, not COMPLETED` };
  }
  if (!force && perfect?.status === 'COMPLETED' && perfect.potentialCycleId === potential.cycleId) {
    return { run: false, reason: `nothing changed since potential cycle ${potential.cycleId}` };
  }
  return { run: true, potentialCycleId: potential.cycleId };
}

export interface PerfectRunRecord {
  groupId: string;
  domainId: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  cycleId: string;
  potentialCycleId: string;
  strategy?: string;
  nodeCount?: number;
  pairCount?: number;
  failureReason?: string;
}

export async function recordPerfectRun(db: Db, r: PerfectRunRecord): Promise<void> {
  await db.query(
    `INSERT INTO last_run_perfect_matches AS l (group_id, domain_id, run_date, status, processing_cycle_id, potential_cycle_id,
        strategy, node_count, pair_count, failure_reason, started_at, finished_at)
     VALUES ($1, $2, now(), $3::varchar, $4, $5, $6, $7, $8, $9, now(), CASE WHEN $3::varchar = 'PENDING' THEN NULL ELSE now() END)
     ON CONFLICT (group_id) DO UPDATE SET
       domain_id = EXCLUDED.domain_id, run_date = EXCLUDED.run_date, status = EXCLUDED.status,
       processing_cycle_id = EXCLUDED.processing_cycle_id, potential_cycle_id = EXCLUDED.potential_cycle_id,
       strategy = COALESCE(EXCLUDED.strategy, l.strategy), node_count = COALESCE(EXCLUDED.node_count, l.node_count),
       pair_count = COALESCE(EXCLUDED.pair_count, l.pair_count), failure_reason = EXCLUDED.failure_reason,
       started_at = CASE WHEN EXCLUDED.status = 'PENDING' THEN now() ELSE l.started_at END,
       finished_at = EXCLUDED.finished_at`,
    [r.groupId, r.domainId, r.status, r.cycleId, r.potentialCycleId, r.strategy ?? null, r.nodeCount ?? null,
      r.pairCount ?? null, r.failureReason ?? null]);
}

export interface DueGroup {
  id: string;
  domainId: string;
  /** the group's last potential cycle, COMPLETED, that its perfect result does not reflect */
  potentialCycleId: string;
}

/**
 * Active groups whose last potential run is COMPLETED and whose perfect result is missing,
 * FAILED, or not that run's. A PENDING result of that very run is included too: a run whose
 * worker died for good leaves it so (enqueueing a cycle's run that is still under way does nothing).
 */
export async function groupsDueForPerfect(db: Db): Promise<DueGroup[]> {
  const { rows } = await db.query<{ id: string; domain_id: string; cycle_id: string }>(
    `SELECT g.id, g.domain_id, p.processing_cycle_id AS cycle_id
     FROM last_run_potential_matches p
     JOIN matching_groups g ON g.id = p.group_id
     JOIN domains d ON d.id = g.domain_id
     LEFT JOIN last_run_perfect_matches f ON f.group_id = p.group_id
     WHERE p.status = 'COMPLETED' AND p.processing_cycle_id IS NOT NULL AND g.active AND d.active
       AND (f.group_id IS NULL OR f.status <> 'COMPLETED' OR f.potential_cycle_id IS DISTINCT FROM p.processing_cycle_id)
     ORDER BY g.id`);
  return rows.map((r) => ({ id: r.id, domainId: r.domain_id, potentialCycleId: r.cycle_id }));
}
