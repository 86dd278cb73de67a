// Seeds what the ops page shows for one group: a domain, a group whose name is hostile HTML,
// its last potential and perfect runs, and potential matches with known scores.
import type { Pool } from '../../src/shared/db.ts';

export const HOSTILE_GROUP_NAME = `<script>document.title="pwned"</script> & "quotes" 'n' <b>`;

export interface SeededGroup {
  domainId: string;
  groupId: string;
  cycleId: string;
  /** scores seeded into potential_matches, one row each */
  scores: number[];
}

/** 10 buckets over [0, 1]: counts per bucket for `scores` (1.0 falls into the last bucket). */
export function expectedBuckets(scores: number[], buckets: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  for (const s of scores) out[Math.min(Math.floor(s * buckets), buckets - 1)]++;
  return out;
}

export async function seedOpsGroup(pool: Pool): Promise<SeededGroup> {
  const { rows: [d] } = await pool.query<{ id: string }>(`INSERT INTO domains (name) VALUES ('ops-domain') RETURNING id`);
  const { rows: [g] } = await pool.query<{ id: string }>(
    `INSERT INTO matching_groups (domain_id, name) VALUES ($1, $2) RETURNING id`, [d.id, HOSTILE_GROUP_NAME]);
  const cycleId = '3f0c6a52-7d1e-4c0e-9a43-0c2b6f1d9e11';
  await pool.query(
    `INSERT INTO last_run_potential_matches (group_id, domain_id, processing_cycle_id, status, started_at, finished_at, node_count, edge_count)
     VALUES ($1, $2, $3, 'COMPLETED', now() - interval '95 seconds', now() - interval '10 seconds', 1234, 5678)`, [g.id, d.id, cycleId]);
  await pool.query(
    `INSERT INTO last_run_perfect_matches (group_id, domain_id, processing_cycle_id, potential_cycle_id, status, strategy,
                                           started_at, finished_at, node_count, pair_count, failure_reason)
     VALUES ($1, $2, 'perfect-cycle-1', $3, 'FAILED', 'greedy', now() - interval '5 seconds', now(), 1234, 0, $4)`,
    [g.id, d.id, cycleId, `failed on <img src=x onerror=alert(1)>`]);
  // A skewed, known distribution: many high scores, a few low ones, and exact 0 and 1; no other
  // score sits on a bucket boundary, where float rounding may differ between JS and PostgreSQL.
  const scores = [0, 1, 0.05, 0.12, 0.33, 0.35, 0.51, 0.55, 0.58, ...Array.from({ length: 30 }, (_, i) => 0.71 + (i % 10) * 0.02)];
  await pool.query(
    `INSERT INTO potential_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
     SELECT $1, $2, $3, 'ref-' || i, 'other-' || i, s FROM unnest($4::float8[]) WITH ORDINALITY AS t(s, i)`,
    [g.id, d.id, cycleId, scores]);
  return { domainId: d.id, groupId: g.id, cycleId, scores };
}
