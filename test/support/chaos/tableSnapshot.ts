// The content of the result tables without what legitimately differs between two runs of the
// same input (generated ids, timestamps, cycle ids): two runs must give equal snapshots.
import type { Pool } from '../../../src/shared/db.ts';

export interface TablesSnapshot {
  nodes: string[];
  potentialMatches: string[];
  perfectMatches: string[];
}

const SCORE_DIGITS = 9;

async function lines(pool: Pool, sql: string): Promise<string[]> {
  const { rows } = await pool.query(sql);
  return rows.map((r) => Object.values(r).map((v) => (typeof v === 'number' ? v.toFixed(SCORE_DIGITS) : String(v))).join('|'));
}

/** Groups and domains are compared by name, since their ids are generated per run. */
export async function snapshotTables(pool: Pool): Promise<TablesSnapshot> {
  return {
    nodes: await lines(pool, `SELECT d.name AS domain, g.name AS grp, n.reference_id, n.type, n.metadata::text, n.processed
      FROM nodes n JOIN matching_groups g ON g.id = n.group_id JOIN domains d ON d.id = g.domain_id ORDER BY 1, 2, 3`),
    potentialMatches: await lines(pool, `SELECT d.name AS domain, g.name AS grp, p.reference_id, p.matched_reference_id, p.compatibility_score
      FROM potential_matches p JOIN matching_groups g ON g.id = p.group_id JOIN domains d ON d.id = g.domain_id ORDER BY 1, 2, 3, 4`),
    perfectMatches: await lines(pool, `SELECT d.name AS domain, g.name AS grp, p.reference_id, p.matched_reference_id, p.compatibility_score
      FROM perfect_matches p JOIN matching_groups g ON g.id = p.group_id JOIN domains d ON d.id = g.domain_id ORDER BY 1, 2, 3, 4`),
  };
}

/** A short description of how two snapshots differ, or null when equal. */
export function diffSnapshots(a: TablesSnapshot, b: TablesSnapshot): string | null {
  const out: string[] = [];
  for (const key of Object.keys(a) as Array<keyof TablesSnapshot>) {
    const x = a[key];
    const y = b[key];
    if (x.length !== y.length) out.push(`${key}: ${x.length} rows vs ${y.length}`);
    const ys = new Set(y);
    const missing = x.filter((l) => !ys.has(l));
    if (missing.length) out.push(`${key}: ${missing.length} rows differ, e.g. ${missing.slice(0, 3).join(' ; ')}`);
  }
  return out.length ? out.join('\n') : null;
}
