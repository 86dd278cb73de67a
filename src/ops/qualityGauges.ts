// The recall estimate and reduction ratio of each group's last potential cycle
// (potential_cycle_quality), read when Prometheus scrapes: every worker and producer reports the
// same values, whichever process finalized the cycle; aggregate with max by (groupId).
import type { Pool } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import { within } from './readiness.ts';

export async function refreshQualityGauges(pool: Pool, timeoutMs: number): Promise<void> {
  try {
    // one index descent per group (idx_cycle_quality_group), however long the history
    const { rows } = await within(timeoutMs, pool.query<{ id: string; recall: number | null; reduction_ratio: number | null }>(
      `SELECT g.id, q.recall, q.reduction_ratio FROM matching_groups g
       CROSS JOIN LATERAL (SELECT recall, reduction_ratio FROM potential_cycle_quality c WHERE c.group_id = g.id
                           ORDER BY finished_at DESC LIMIT 1) q`));
    metrics.recallEstimate.reset();
    metrics.reductionRatio.reset();
    for (const r of rows) {
      if (r.recall !== null) metrics.recallEstimate.set({ groupId: r.id }, Number(r.recall));
      if (r.reduction_ratio !== null) metrics.reductionRatio.set({ groupId: r.id }, Number(r.reduction_ratio));
    }
  } catch {
    // stale figures are worse than none for this scrape
    metrics.recallEstimate.reset();
    metrics.reductionRatio.reset();
  }
}
