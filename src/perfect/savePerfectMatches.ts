// Replaces a group's perfect matches in one transaction: COPY the new pairs into a temp table,
// UPSERT them, delete the group's pairs that are no longer chosen. Readers see the old result or
// the new one, never half of either; a retried job writes the same rows again.
import { copyLine, copyLines } from '../shared/copy.ts';
import { withTransaction, type Pool, type PoolClient } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import type { Pairs } from '../matching/perfect/graph.ts';
import { recordPerfectRun } from './lastRuns.ts';

export interface PerfectMatchRows {
  groupId: string;
  domainId: string;
  cycleId: string;
  pairs: Pairs;
  leftRefs: string[];
  /** right-side reference ids of a bipartite graph; empty for a general graph (one id space) */
  rightRefs: string[];
}

/** Runs inside the caller's transaction. Returns the number of pairs written. */
export async function savePerfectMatches(client: PoolClient, r: PerfectMatchRows): Promise<number> {
  const rightRefs = r.rightRefs.length ? r.rightRefs : r.leftRefs;
  await client.query(`CREATE TEMP TABLE tmp_perfect_matches (
    reference_id VARCHAR(255), matched_reference_id VARCHAR(255), compatibility_score DOUBLE PRECISION) ON COMMIT DROP`);
  const { left, right, score } = r.pairs;
  await copyLines(client, 'COPY tmp_perfect_matches FROM STDIN', (function* () {
    for (let k = 0; k < left.length; k++) yield copyLine([r.leftRefs[left[k]], rightRefs[right[k]], score[k]]);
  })());
  await client.query(
    `INSERT INTO perfect_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score, matched_at)
     SELECT $1, $2, $3, reference_id, matched_reference_id, compatibility_score, now() FROM tmp_perfect_matches
     ON CONFLICT (group_id, reference_id, matched_reference_id) DO UPDATE
       SET compatibility_score = EXCLUDED.compatibility_score, processing_cycle_id = EXCLUDED.processing_cycle_id,
           domain_id = EXCLUDED.domain_id, matched_at = EXCLUDED.matched_at`,
    [r.groupId, r.domainId, r.cycleId]);
  await client.query(
    `DELETE FROM perfect_matches p WHERE p.group_id = $1 AND NOT EXISTS (
       SELECT 1 FROM tmp_perfect_matches t
       WHERE t.reference_id = p.reference_id AND t.matched_reference_id = p.matched_reference_id)`,
    [r.groupId]);
  return left.length;
}

/** Writes the pairs and marks the run COMPLETED in one transaction. Returns the pairs written. */
export async function savePerfectRun(pool: Pool, r: PerfectMatchRows & { strategy: string; nodeCount: number }): Promise<number> {
  const saveTimer = metrics.storageProcessorBatchDuration.startTimer({ table: 'perfect_matches' });
  const storageTimer = metrics.perfectMatchStorageDuration.startTimer({ groupId: r.groupId });
  const written = await withTransaction(pool, async (c) => {
    const n = await savePerfectMatches(c, r);
    await recordPerfectRun(c, {
      groupId: r.groupId, domainId: r.domainId, status: 'COMPLETED', cycleId: r.cycleId, potentialCycleId: r.cycleId,
      strategy: r.strategy, nodeCount: r.nodeCount, pairCount: n,
    });
    return n;
  }).catch((err: Error & { code?: string }) => {
    metrics.perfectMatchStorageErrors.inc({ groupId: r.groupId, error_type: err.code ?? err.name });
    throw err;
  });
  saveTimer();
  storageTimer();
  metrics.perfectMatchesSaved.inc({ groupId: r.groupId }, written);
  return written;
}
