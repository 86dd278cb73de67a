// Groups of synthetic people in PostgreSQL, and what their potential_matches should be.
import { configureGroup, resolveDomain, resolveGroup, type GroupRow, type MatchType } from '../../src/groups/catalog.ts';
import { copyLines, copyLine } from '../../src/shared/copy.ts';
import { withClient, type Pool } from '../../src/shared/db.ts';
import type { SyntheticNode } from '../../src/synthetic/people.ts';
import { CompatibilityScorer } from '../../src/matching/compatibilityScorer.ts';
import { compareCodePoints, encodePage, type NodeInput } from '../../src/matching/encodedPage.ts';
import { flatGroupTopK } from './groupTopK.ts';

export async function makeGroup(pool: Pool, name: string, params: Record<string, unknown>, matchType: MatchType = 'SYMMETRIC'): Promise<GroupRow> {
  const domainId = (await resolveDomain(pool, 'potential-test', true))!;
  const group = (await resolveGroup(pool, domainId, name, { matchType }))!;
  await configureGroup(pool, group, { algorithmId: 'top-k', params });
  return group;
}

/** Inserts nodes (created_at in insertion order) by COPY. */
export async function insertNodes(pool: Pool, group: GroupRow, nodes: Iterable<SyntheticNode>): Promise<void> {
  await withClient(pool, async (c) => {
    function* lines() {
      for (const n of nodes) yield copyLine([group.id, group.domainId, n.referenceId, n.type, JSON.stringify(n.metadata)]);
    }
    await copyLines(c, 'COPY nodes (group_id, domain_id, reference_id, type, metadata) FROM STDIN', lines());
  });
}

export interface MatchRow {
  reference_id: string;
  matched_reference_id: string;
  compatibility_score: number;
}

/** The group's rows as "ref→matched=score" strings, sorted (cycle ids and times left out). */
export async function matchesOf(pool: Pool, groupId: string): Promise<string[]> {
  const { rows } = await pool.query<MatchRow>(
    'SELECT reference_id, matched_reference_id, compatibility_score FROM potential_matches WHERE group_id = $1', [groupId]);
  return rows.map((r) => `${r.reference_id}→${r.matched_reference_id}=${r.compatibility_score}`).sort();
}

/** Expected directed rows: every node's top-K over the group, ties by reference id. */
export function expectedRows(nodes: SyntheticNode[], K: number, opts: { bipartite?: boolean } = {}): string[] {
  const sorted = [...nodes].sort((a, b) => compareCodePoints(a.referenceId, b.referenceId));
  const page = encodePage(sorted as NodeInput[], opts.bipartite ? { partition: { key: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'] } } : {});
  const { topK } = flatGroupTopK(new CompatibilityScorer(), { pages: [page], bipartite: opts.bipartite }, K);
  const out: string[] = [];
  for (let u = 0; u < sorted.length; u++) for (const e of topK.sorted(u)) out.push(`${sorted[u].referenceId}→${sorted[e.id].referenceId}=${e.score}`);
  return out.sort();
}


/**
 * Makes every build-chunk-pair job of the group's cycles fail (a retryable error: its pages do not
 * decode), by a trigger that garbles the pages fetch-page stages for the group. The group's
 * settings stay valid, so the cycle begins and fetches as usual and fails in its chunk pairs.
 */
export async function failChunkPairsOf(pool: Pool, group: GroupRow): Promise<void> {
  const fn = `garble_pages_${group.id.replace(/-/g, '')}`;
  await pool.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM potential_cycles c WHERE c.cycle_id = NEW.cycle_id AND c.group_id = '${group.id}') THEN
        NEW.data := '\\x00'::bytea;
      END IF;
      RETURN NEW;
    END $$`);
  await pool.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON potential_cycle_pages FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
}
