// Writing one row page's top-K into potential_matches (seed 004 §6). Everything is keyed by the
// page's row nodes (rows are directed, see below), so pages are written independently — each
// build-chunk-pair job writes its own page, in parallel on every worker:
//   N page (new nodes): their earlier rows are deleted first (their lists are recomputed whole, and
//           GREATEST must not keep up a stale score), then the page's rows are COPYed straight into
//           potential_matches. After that DELETE, in the same transaction, no row of the page can
//           conflict, so neither ON CONFLICT (speculative insertion: one more index probe and WAL
//           record per row, ~30 % of the write) nor seed 004's TEMP table is needed: COPY into the
//           table inserts heap tuples in batches, where INSERT … SELECT from a TEMP table writes
//           every row twice and runs the executor per row (psql, 1,000,000 rows: 6.5 s against
//           0.8 s + 7.3 s). Two attempts of the same page (a stalled job run again while the first
//           still writes) are serialized by the lock on the page's staging row (claimPageWrite), so
//           the later one deletes the earlier one's committed rows instead of hitting the unique
//           key. The DELETE is skipped when it has nothing to find: the group had no rows when the
//           cycle began and no earlier attempt wrote the page (migration 023).
//   E page (incremental, existing nodes): seed 004's path. The new edges are COPYed into a
//           transaction-local TEMP table, upserted with
//             INSERT … SELECT … ON CONFLICT (group_id, reference_id, matched_reference_id)
//             DO UPDATE SET compatibility_score = GREATEST(old, new)
//           into the nodes' existing rows, then each node is cut back to its K best (old ∪ new),
//           which is the top-K a full recompute gives.
// A page's transaction is idempotent: a retried job leaves the same rows.
//
// Storage decision: rows are DIRECTED. A row (reference_id, matched_reference_id, score) means
// matched_reference_id is among the K best neighbours of reference_id; an unordered pair is stored
// in both directions when each node has the other in its top-K, once when only one does. So every
// node's top-K is exactly "its rows as reference_id", mutual top-K is "both directions present",
// and the perfect stage reads rows as (reference_id → matched_reference_id) preferences, deduping
// to unordered pairs when its algorithm wants an undirected graph. Ties at the K-th place are
// broken by matched_reference_id in code-point order, in the build jobs and in the SQL below.
//
// Visibility: pages commit one by one while the group's last run is PENDING; the perfect stage
// reads a group only when its last potential run is COMPLETED (finalize-group sets it after every
// page and flush-group's clean-up committed). A cycle that fails for good is marked FAILED, and
// the group's next cycle rewrites whatever pages it had written (its new nodes are still
// unprocessed; a full recompute rewrites all).
import { randomBytes } from 'node:crypto';
import { BinaryCopyRows, encodedFields, textFieldBytes } from '../shared/binaryCopy.ts';
import { copyChunks } from '../shared/copy.ts';
import type { PoolClient } from '../shared/db.ts';
import type { PageKind } from '../shared/queues.ts';
import { claimPageWrite, type CycleRow } from './cycleStore.ts';

export interface PageEdge {
  referenceId: string;
  matchedReferenceId: string;
  score: number;
}

/**
 * Row ids of one page write: 10 random bytes (76 random bits, the variant bits set), then the
 * row number in 6 bytes. A page's rows then fill one run of the primary-key index in order —
 * fully random gen_random_uuid() ids cost ~4 s more per 1,000,000 rows here, each landing on a
 * different index page — and concurrent page writes land in different runs rather than all on
 * the index's right edge, as time-ordered ids would.
 */
export function pageRowIds(): (n: number) => Uint8Array {
  const id = Buffer.alloc(16);
  randomBytes(10).copy(id, 0);
  id[8] = 0x80 | (id[8] & 0x0f);
  return (n) => {
    id.writeUIntBE(n, 10, 6);
    return id;
  };
}

/** COPY of an N page's rows as they are (no conflict handling: the page's rows are deleted first). */
export const COPY_NEW_PAGE = `COPY potential_matches (id, group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
  FROM STDIN (FORMAT binary)`;

/**
 * The page's rows as binary COPY data of (id, reference_id, matched_reference_id,
 * compatibility_score), preceded by (group_id, domain_id, processing_cycle_id) when `cycle` is
 * given: the data of COPY_NEW_PAGE (then also the write anchor of `npm run bench -- potential`).
 */
export function* pageCopyData(edges: Iterable<PageEdge>, cycle?: Pick<CycleRow, 'cycleId' | 'groupId' | 'domainId'>): Generator<Buffer> {
  const rows = new BinaryCopyRows();
  const idOf = pageRowIds();
  const ofCycle = cycle ? encodedFields([{ uuid: cycle.groupId }, { uuid: cycle.domainId }, { text: cycle.cycleId }]) : new Uint8Array(0);
  let n = 0;
  for (const e of edges) {
    rows.row(ofCycle.length ? 7 : 4, 20 + ofCycle.length + textFieldBytes(e.referenceId) + textFieldBytes(e.matchedReferenceId) + 12)
      .uuid(idOf(++n)).encoded(ofCycle).text(e.referenceId).text(e.matchedReferenceId).float8(e.score);
    yield* rows.drain();
  }
  yield* rows.finish();
}

/**
 * Writes the page's edges; `rowRefs` are all the page's row nodes (those without edges too).
 * `edges` should come in the unique key's order (reference_id, then matched_reference_id): the
 * ids are numbered in that order here, so that both indexes are filled in order. Measured on
 * 1,000,000 rows in pages of 100,000: 5.2–6.4 s of PostgreSQL against 8.6–9.6 s when the INSERT
 * numbered and sorted the rows itself (row_number() OVER (ORDER BY …)). Returns rows written.
 */
export async function writePageMatches(
  c: PoolClient, cycle: CycleRow, page: { kind: PageKind; index: number }, rowRefs: string[], edges: Iterable<PageEdge>, k: number,
): Promise<number> {
  return page.kind === 'N' ? replaceNewPage(c, cycle, page.index, rowRefs, edges) : mergeExistingPage(c, cycle, page.index, rowRefs, edges, k);
}

async function replaceNewPage(c: PoolClient, cycle: CycleRow, index: number, rowRefs: string[], edges: Iterable<PageEdge>): Promise<number> {
  const { earlierAttempt } = await claimPageWrite(c, cycle.cycleId, 'N', index);
  if (cycle.groupHadMatches || earlierAttempt) {
    await c.query('DELETE FROM potential_matches WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [cycle.groupId, rowRefs]);
  }
  // matched_at takes its default, now(): the transaction's start, as the INSERT's now() did
  return copyChunks(c, COPY_NEW_PAGE, pageCopyData(edges, cycle));
}

async function mergeExistingPage(c: PoolClient, cycle: CycleRow, index: number, rowRefs: string[], edges: Iterable<PageEdge>, k: number): Promise<number> {
  await c.query(`CREATE TEMP TABLE page_matches (
      id uuid NOT NULL, reference_id VARCHAR(255) NOT NULL, matched_reference_id VARCHAR(255) NOT NULL,
      compatibility_score DOUBLE PRECISION NOT NULL
    ) ON COMMIT DROP`);
  await copyChunks(c, 'COPY page_matches (id, reference_id, matched_reference_id, compatibility_score) FROM STDIN (FORMAT binary)', pageCopyData(edges));
  await claimPageWrite(c, cycle.cycleId, 'E', index);
  const { rowCount } = await c.query(
    `INSERT INTO potential_matches (id, group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score, matched_at)
     SELECT id, $2::uuid, $3::uuid, $1::varchar, reference_id, matched_reference_id, compatibility_score, now()
     FROM page_matches
     ON CONFLICT (group_id, reference_id, matched_reference_id) DO UPDATE SET
       compatibility_score = GREATEST(potential_matches.compatibility_score, EXCLUDED.compatibility_score),
       matched_at = EXCLUDED.matched_at,
       processing_cycle_id = EXCLUDED.processing_cycle_id`,
    [cycle.cycleId, cycle.groupId, cycle.domainId]);
  await c.query(
    `DELETE FROM potential_matches p USING (
       SELECT id, row_number() OVER (PARTITION BY reference_id
                                     ORDER BY compatibility_score DESC, matched_reference_id COLLATE "C") AS rank
       FROM potential_matches WHERE group_id = $1 AND reference_id = ANY($2::varchar[])
     ) ranked
     WHERE p.id = ranked.id AND ranked.rank > $3`,
    [cycle.groupId, rowRefs, k]);
  return rowCount ?? 0;
}
