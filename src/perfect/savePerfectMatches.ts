// Replaces a group's perfect matches in one transaction: the new pairs go in batches of
// MATCH_SAVE_BATCH_SIZE (each COPYed into a temp table and UPSERTed, and timed as
// perfect_match_storage_batch_duration), then the group's pairs that are no longer chosen are
// deleted. Readers see the old result or the new one, never half of either; a retried job writes
// the same rows again. The write is fenced with the run's permit token (perfectPermit.ts): a run
// whose permit lapsed cannot overwrite the result of a run that took a permit after it.
import { admitFencedWrite } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { copyLine, copyLines } from '../shared/copy.ts';
import { withTransaction, type Pool, type PoolClient } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import type { Pairs } from '../matching/perfect/graph.ts';
import { recordPerfectRun, type PerfectRunRecord } from './lastRuns.ts';

export interface PerfectMatchRows {
  groupId: string;
  domainId: string;
  cycleId: string;
  pairs: Pairs;
  leftRefs: string[];
  /** right-side reference ids of a bipartite graph; empty for a general graph (one id space) */
  rightRefs: string[];
}

export interface SaveOptions {
  /** pairs per batch (MATCH_SAVE_BATCH_SIZE) */
  batchSize: number;
  /** after each batch: the share of the pairs written so far */
  onBatch?: (share: number) => void;
}

/** Runs inside the caller's transaction. Returns the number of pairs written. */
export async function savePerfectMatches(client: PoolClient, r: PerfectMatchRows, opts: SaveOptions): Promise<number> {
  const rightRefs = r.rightRefs.length ? r.rightRefs : r.leftRefs;
  await client.query(`CREATE TEMP TABLE tmp_perfect_batch (
    reference_id VARCHAR(255), matched_reference_id VARCHAR(255), compatibility_score DOUBLE PRECISION) ON COMMIT DROP`);
  await client.query('CREATE TEMP TABLE tmp_perfect_kept (reference_id VARCHAR(255), matched_reference_id VARCHAR(255)) ON COMMIT DROP');
  const { left, right, score } = r.pairs;
  const batch = Math.max(1, opts.batchSize);
  for (let from = 0; from < left.length; from += batch) {
    const to = Math.min(left.length, from + batch);
    const timer = metrics.perfectMatchStorageBatchDuration.startTimer({ groupId: r.groupId });
    await copyLines(client, 'COPY tmp_perfect_batch FROM STDIN', (function* () {
      for (let k = from; k < to; k++) yield copyLine([r.leftRefs[left[k]], rightRefs[right[k]], score[k]]);
    })());
    await client.query(
      `INSERT INTO perfect_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score, matched_at)
       SELECT $1, $2, $3, reference_id, matched_reference_id, compatibility_score, now() FROM tmp_perfect_batch
       ON CONFLICT (group_id, reference_id, matched_reference_id) DO UPDATE
         SET compatibility_score = EXCLUDED.compatibility_score, processing_cycle_id = EXCLUDED.processing_cycle_id,
             domain_id = EXCLUDED.domain_id, matched_at = EXCLUDED.matched_at`,
      [r.groupId, r.domainId, r.cycleId]);
    await client.query('INSERT INTO tmp_perfect_kept SELECT reference_id, matched_reference_id FROM tmp_perfect_batch');
    await client.query('TRUNCATE tmp_perfect_batch');
    timer();
    opts.onBatch?.(to / left.length);
  }
  await client.query(
    `DELETE FROM perfect_matches p WHERE p.group_id = $1 AND NOT EXISTS (
       SELECT 1 FROM tmp_perfect_kept t
       WHERE t.reference_id = p.reference_id AND t.matched_reference_id = p.matched_reference_id)`,
    [r.groupId]);
  return left.length;
}

/** The fenced side of a perfect run's writes: the permit token the run holds. */
export interface RunFence {
  token: number;
}

/** Records the run's status (PENDING, FAILED) if no run with a newer permit wrote; false if one did. */
export function recordFencedRun(pool: Pool, r: PerfectRunRecord, fence: RunFence): Promise<boolean> {
  return withTransaction(pool, async (c) => {
    if (!(await admitFencedWrite(c, RESOURCE.perfectWrite(r.groupId), fence.token))) return false;
    await recordPerfectRun(c, r);
    return true;
  });
}

/**
 * Writes the pairs and marks the run COMPLETED in one transaction. Returns the pairs written, or
 * null when a run with a newer permit has written the group since (nothing is written then).
 */
export async function savePerfectRun(pool: Pool, r: PerfectMatchRows & { strategy: string; nodeCount: number }, fence: RunFence,
  opts: SaveOptions): Promise<number | null> {
  const saveTimer = metrics.storageProcessorBatchDuration.startTimer({ table: 'perfect_matches', groupId: r.groupId });
  const storageTimer = metrics.perfectMatchStorageDuration.startTimer({ groupId: r.groupId });
  const written = await withTransaction(pool, async (c) => {
    if (!(await admitFencedWrite(c, RESOURCE.perfectWrite(r.groupId), fence.token))) return null;
    const n = await savePerfectMatches(c, r, opts);
    await recordPerfectRun(c, {
      groupId: r.groupId, domainId: r.domainId, status: 'COMPLETED', cycleId: r.cycleId, potentialCycleId: r.cycleId,
      strategy: r.strategy, nodeCount: r.nodeCount, pairCount: n,
    });
    return n;
  }).catch((err: Error & { code?: string }) => {
    metrics.perfectMatchStorageErrors.inc({ groupId: r.groupId, error_type: err.code ?? err.name });
    throw err;
  });
  if (written === null) return null;
  saveTimer();
  storageTimer();
  metrics.perfectMatchesSaved.inc({ groupId: r.groupId }, written);
  return written;
}
