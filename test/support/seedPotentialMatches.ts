// Writes a group with nodes and potential_matches rows directly, as a finished potential cycle
// would leave them, so that the perfect stage can be tested on its own.
import { randomUUID } from 'node:crypto';
import type { Pool } from '../../src/shared/db.ts';
import { copyLines, copyLine } from '../../src/shared/copy.ts';
import { withTransaction } from '../../src/shared/db.ts';
import { configureGroup, resolveDomain, resolveGroup, type GroupRow, type MatchType } from '../../src/groups/catalog.ts';
import { seededRandom } from '../../src/synthetic/random.ts';

export interface SeededGroup {
  group: GroupRow;
  cycleId: string;
  refs: string[];
  /** directed rows written: [reference, matched, score] */
  rows: Array<[string, string, number]>;
}

export async function seedPotentialGroup(pool: Pool, opts: {
  name: string; matchType: MatchType; algorithmId: string; nodes: number; edgesPerNode: number; seed?: number;
}): Promise<SeededGroup> {
  const rnd = seededRandom(opts.seed ?? 7);
  const domainId = (await resolveDomain(pool, 'perfect-test', true))!;
  const group = (await resolveGroup(pool, domainId, opts.name, { matchType: opts.matchType }))!;
  await configureGroup(pool, group, {
    algorithmId: opts.algorithmId,
    params: opts.matchType === 'BIPARTITE' ? { partitionKey: 'type', leftValues: ['L'], rightValues: ['R'] } : {},
  });
  const refs = Array.from({ length: opts.nodes }, (_, i) => `${opts.name}-${i}`);
  const typeOf = (i: number) => (opts.matchType === 'BIPARTITE' ? (i % 2 === 0 ? 'L' : 'R') : 'P');
  const rows: Array<[string, string, number]> = [];
  for (let i = 0; i < opts.nodes; i++) {
    for (let e = 0; e < opts.edgesPerNode; e++) {
      let j = Math.floor(rnd() * opts.nodes);
      if (opts.matchType === 'BIPARTITE' && typeOf(j) === typeOf(i)) j = (j + 1) % opts.nodes;
      if (j === i) continue;
      rows.push([refs[i], refs[j], Math.round(rnd() * 1e6) / 1e6]);
    }
  }
  const cycleId = randomUUID();
  await withTransaction(pool, async (c) => {
    await copyLines(c, 'COPY nodes (group_id, domain_id, reference_id, type, processed) FROM STDIN',
      refs.map((r, i) => copyLine([group.id, domainId, r, typeOf(i), true])));
    await c.query('CREATE TEMP TABLE seed_pm (reference_id text, matched_reference_id text, compatibility_score float8) ON COMMIT DROP');
    await copyLines(c, 'COPY seed_pm FROM STDIN', rows.map((r) => copyLine(r)));
    await c.query(
      `INSERT INTO potential_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
       SELECT $1, $2, $3, reference_id, matched_reference_id, max(compatibility_score) FROM seed_pm
       GROUP BY reference_id, matched_reference_id`, [group.id, domainId, cycleId]);
    await c.query(
      `INSERT INTO last_run_potential_matches (group_id, domain_id, processing_cycle_id, status, started_at, finished_at)
       VALUES ($1, $2, $3, 'COMPLETED', now(), now())
       ON CONFLICT (group_id) DO UPDATE SET processing_cycle_id = EXCLUDED.processing_cycle_id, status = 'COMPLETED', finished_at = now()`,
      [group.id, domainId, cycleId]);
  });
  return { group, cycleId, refs, rows };
}
