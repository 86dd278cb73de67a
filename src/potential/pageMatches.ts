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
//   E page (incremental, existing nodes): each node's new top-K is known in the job (pageLists.ts);
//           only the difference to its stored rows is written — the rows that left deleted by id,
//           the rows that came COPYed in. A page that an earlier attempt already wrote is
//           rewritten whole, as an N page is: the rows the job read may be that attempt's.
// Beside the rows, each node's reserve (the next MATCHING_TOPK_RESERVE entries of its ranking)
// is rewritten whole in potential_match_reserve: one row per node.
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
import type { RankedList } from '../matching/rankedList.ts';
import { BinaryCopyRows, encodedFields, textFieldBytes } from '../shared/binaryCopy.ts';
import { copyChunks, copyLine, copyLines } from '../shared/copy.ts';
import type { Pool, PoolClient } from '../shared/db.ts';
import type { PageKind } from '../shared/queues.ts';
import { claimPageWrite, type CycleRow } from './cycleStore.ts';
import type { StoredList } from './pageLists.ts';

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

/** A row page's new lists: its row nodes (by reference id and neighbour id) and their lists. */
export interface PageLists {
  rowRefs: string[];
  rowIds: Int32Array;
  lists: RankedList[];
  /** reference id of each neighbour id */
  referenceOfId: string[];
  /** rows a node keeps in potential_matches; the rest of its list is its reserve */
  k: number;
}

/** The top-K rows of the page in the unique key's order: rows by reference id, then by neighbour. */
function* topRows(p: PageLists): Generator<PageEdge> {
  const order = Array.from(p.rowRefs.keys()).sort((a, b) => p.rowIds[a] - p.rowIds[b]);
  for (const x of order) {
    const l = p.lists[x];
    const n = Math.min(p.k, l.ids.length);
    const byId = Array.from({ length: n }, (_, j) => j).sort((a, b) => l.ids[a] - l.ids[b]);
    for (const j of byId) yield { referenceId: p.rowRefs[x], matchedReferenceId: p.referenceOfId[l.ids[j]], score: l.scores[j] };
  }
}

/** The stored rows and reserve of the given nodes of a group. */
export async function loadStoredLists(db: Pool | PoolClient, groupId: string, refs: string[]): Promise<Map<string, StoredList>> {
  const out = new Map<string, StoredList>();
  const own = (ref: string) => {
    let l = out.get(ref);
    if (!l) out.set(ref, (l = { rows: [], reserve: [], exhaustive: false }));
    return l;
  };
  const rows = await db.query<{ reference_id: string; id: string; matched_reference_id: string; compatibility_score: number }>(
    `SELECT reference_id, id, matched_reference_id, compatibility_score FROM potential_matches
     WHERE group_id = $1 AND reference_id = ANY($2::varchar[])`, [groupId, refs]);
  for (const r of rows.rows) own(r.reference_id).rows.push({ id: r.id, matched: r.matched_reference_id, score: r.compatibility_score });
  const reserve = await db.query<{ reference_id: string; matched_reference_ids: string[]; scores: number[]; exhaustive: boolean }>(
    `SELECT reference_id, matched_reference_ids, scores, exhaustive FROM potential_match_reserve
     WHERE group_id = $1 AND reference_id = ANY($2::varchar[])`, [groupId, refs]);
  for (const r of reserve.rows) {
    const l = own(r.reference_id);
    l.exhaustive = r.exhaustive;
    r.matched_reference_ids.forEach((m, j) => l.reserve.push({ matched: m, score: r.scores[j] }));
  }
  return out;
}

/** A PostgreSQL array literal of text values. */
function textArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

async function writeReserve(c: PoolClient, cycle: CycleRow, p: PageLists, deleteFirst: boolean): Promise<void> {
  if (deleteFirst) await c.query('DELETE FROM potential_match_reserve WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [cycle.groupId, p.rowRefs]);
  await copyLines(c, 'COPY potential_match_reserve (group_id, reference_id, matched_reference_ids, scores, exhaustive) FROM STDIN',
    p.lists.map((l, x) => {
      const rest = Array.from(l.ids.subarray(p.k), (id) => p.referenceOfId[id]);
      return copyLine([cycle.groupId, p.rowRefs[x], textArray(rest), `{${Array.from(l.scores.subarray(p.k)).join(',')}}`, l.exhaustive]);
    }));
}

/**
 * Writes the page's lists: each row node's top-K into potential_matches and the rest into its
 * reserve. `stored` (E pages) is what the job read of the nodes' rows: only the difference is
 * written. Returns the potential_matches rows the page's nodes hold afterwards.
 */
export async function writePageMatches(c: PoolClient, cycle: CycleRow, page: { kind: PageKind; index: number }, p: PageLists,
  stored?: Map<string, StoredList>): Promise<number> {
  const { earlierAttempt } = await claimPageWrite(c, cycle.cycleId, page.kind, page.index);
  const held = p.lists.reduce((n, l) => n + Math.min(p.k, l.ids.length), 0);
  if (page.kind === 'E' && stored && !earlierAttempt) {
    await writeDifference(c, cycle, p, stored);
    await writeReserve(c, cycle, p, true);
    return held;
  }
  const anyEarlier = cycle.groupHadMatches || earlierAttempt;
  if (anyEarlier) await c.query('DELETE FROM potential_matches WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [cycle.groupId, p.rowRefs]);
  // matched_at takes its default, now(): the transaction's start, as the INSERT's now() did
  await copyChunks(c, COPY_NEW_PAGE, pageCopyData(topRows(p), cycle));
  await writeReserve(c, cycle, p, anyEarlier);
  return held;
}

/** Deletes the stored rows that left the nodes' top-K (or changed score) and adds the new ones. */
async function writeDifference(c: PoolClient, cycle: CycleRow, p: PageLists, stored: Map<string, StoredList>): Promise<void> {
  const gone: string[] = [];
  const kept = new Set<string>();
  const key = (ref: string, matched: string, score: number) => `${ref}\u0000${matched}\u0000${score}`;
  for (const e of topRows(p)) kept.add(key(e.referenceId, e.matchedReferenceId, e.score));
  const have = new Set<string>();
  for (const ref of p.rowRefs) {
    for (const r of stored.get(ref)?.rows ?? []) {
      const k = key(ref, r.matched, r.score);
      if (kept.has(k)) have.add(k);
      else gone.push(r.id);
    }
  }
  if (gone.length) await c.query('DELETE FROM potential_matches WHERE id = ANY($1::uuid[])', [gone]);
  const added = (function* () {
    for (const e of topRows(p)) if (!have.has(key(e.referenceId, e.matchedReferenceId, e.score))) yield e;
  })();
  await copyChunks(c, COPY_NEW_PAGE, pageCopyData(added, cycle));
}
