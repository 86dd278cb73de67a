// Writing one row page's ranked lists: each node's top-K into potential_matches (rows are
// directed: a row says matched_reference_id is among reference_id's K best) and its whole list into
// potential_match_lists. Pages are keyed by their row nodes, so build jobs write them in parallel.
// N pages (new and changed nodes) are replaced whole, COPYed straight in after their nodes' rows
// are deleted; E pages (unchanged nodes) write only the difference to what the job read, and fall
// back to a whole rewrite when the rows were not what the lists said. Every page's transaction is
// idempotent. Why each of these, with figures: docs/architecture.md,
// "Storing potential matches" and "Incremental cycles".
import { randomBytes } from 'node:crypto';
import type { RankedList } from '../matching/rankedList.ts';
import { BinaryCopyRows, encodedFields, textFieldBytes } from '../shared/binaryCopy.ts';
import { copyChunks } from '../shared/copy.ts';
import { lapTimer } from '../shared/lapTimer.ts';
import type { Pool, PoolClient } from '../shared/db.ts';
import type { PageKind } from '../shared/queues.ts';
import { claimPageWrite, type CycleRow } from './cycleStore.ts';
import { packList, unpackList } from './listCodec.ts';
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
  /** per row node, its LSH candidates with a candidate limit (pageRanking.ts); null without one */
  colliders: Int32Array | null;
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

/** The stored lists of the given nodes of a group. */
export async function loadStoredLists(db: Pool | PoolClient, groupId: string, refs: string[]): Promise<Map<string, StoredList>> {
  const { rows } = await db.query<{ reference_id: string; entries: Buffer; exhaustive: boolean; colliders: number | null }>(
    `SELECT reference_id, entries, exhaustive, colliders FROM potential_match_lists
     WHERE group_id = $1 AND reference_id = ANY($2::varchar[])`, [groupId, refs]);
  return new Map(rows.map((r) => [r.reference_id, { ...unpackList(r.entries), exhaustive: r.exhaustive, colliders: r.colliders }]));
}

async function writeLists(c: PoolClient, cycle: CycleRow, p: PageLists, deleteFirst: boolean): Promise<void> {
  if (deleteFirst) await c.query('DELETE FROM potential_match_lists WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [cycle.groupId, p.rowRefs]);
  const group = encodedFields([{ uuid: cycle.groupId }]);
  const copy = 'COPY potential_match_lists (group_id, reference_id, entries, exhaustive, colliders) FROM STDIN (FORMAT binary)';
  await copyChunks(c, copy, (function* () {
    const rows = new BinaryCopyRows();
    for (let x = 0; x < p.rowRefs.length; x++) {
      const l = p.lists[x];
      const entries = packList(Array.from(l.ids, (id) => p.referenceOfId[id]), l.scores);
      rows.row(5, group.length + textFieldBytes(p.rowRefs[x]) + 4 + entries.length + 5 + 8).encoded(group).text(p.rowRefs[x]).bytea(entries)
        .bool(l.exhaustive).int4(p.colliders ? p.colliders[x] : null);
      yield* rows.drain();
    }
    yield* rows.finish();
  })());
}

/**
 * Writes the page's lists: each row node's top-K into potential_matches and its whole list into
 * potential_match_lists. `stored` (E pages) is what the job read of the nodes' lists: only the
 * difference is written. Returns the potential_matches rows the page's nodes hold afterwards.
 */
export async function writePageMatches(c: PoolClient, cycle: CycleRow, page: { kind: PageKind; index: number }, p: PageLists,
  stored?: Map<string, StoredList>): Promise<{ held: number; written: number; ms: Record<'claim' | 'rows' | 'lists', number>; rewritten: boolean }> {
  const { ms, lap } = lapTimer(['claim', 'rows', 'lists'] as const);
  const { earlierAttempt } = await claimPageWrite(c, cycle.cycleId, page.kind, page.index);
  lap('claim');
  const held = p.lists.reduce((n, l) => n + Math.min(p.k, l.ids.length), 0);
  let mismatch = false;
  // nodes without a stored list (rows written before lists were kept): the page is rewritten whole
  if (page.kind === 'E' && stored && !earlierAttempt && p.rowRefs.every((r) => stored.has(r))) {
    await c.query('SAVEPOINT page_difference');
    const added = await writeDifference(c, cycle, p, stored);
    if (added !== null) {
      lap('rows');
      await writeLists(c, cycle, p, true);
      lap('lists');
      return { held, written: added, ms, rewritten: false };
    }
    // the stored lists did not match the rows (a row gone or there that a list did not know of)
    await c.query('ROLLBACK TO SAVEPOINT page_difference');
    mismatch = true;
  }
  const anyEarlier = cycle.groupHadMatches || earlierAttempt;
  if (anyEarlier) await c.query('DELETE FROM potential_matches WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [cycle.groupId, p.rowRefs]);
  // matched_at takes its default, now(): the transaction's start, as the INSERT's now() did
  await copyChunks(c, COPY_NEW_PAGE, pageCopyData(topRows(p), cycle));
  lap('rows');
  await writeLists(c, cycle, p, anyEarlier);
  lap('lists');
  return { held, written: held, ms, rewritten: mismatch };
}

/**
 * Deletes the stored top-K rows that left (or changed score) and COPYs in the ones that came;
 * returns how many came. Null when the rows were not what the stored lists said: a row to delete
 * was missing, or a row to add was there already.
 */
async function writeDifference(c: PoolClient, cycle: CycleRow, p: PageLists, stored: Map<string, StoredList>): Promise<number | null> {
  const goneRefs: string[] = [];
  const goneMatched: string[] = [];
  const added: PageEdge[] = [];
  p.rowRefs.forEach((ref, x) => {
    const had = stored.get(ref)!;
    const before = new Map<string, number>();
    for (let j = 0; j < Math.min(p.k, had.refs.length); j++) before.set(had.refs[j], had.scores[j]);
    const l = p.lists[x];
    for (let j = 0; j < Math.min(p.k, l.ids.length); j++) {
      const matched = p.referenceOfId[l.ids[j]];
      if (before.get(matched) === l.scores[j]) before.delete(matched);
      else added.push({ referenceId: ref, matchedReferenceId: matched, score: l.scores[j] });
    }
    for (const matched of before.keys()) {
      goneRefs.push(ref);
      goneMatched.push(matched);
    }
  });
  if (goneRefs.length) {
    // Knowing the arrays' length, the planner would hash them and read all the group's rows (0.8 s
    // for 6,600 keys among 2,000,000 rows); one descent of uq_match per key takes 40 ms.
    await c.query(`SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`);
    const { rowCount } = await c.query(
      `DELETE FROM potential_matches p USING unnest($2::varchar[], $3::varchar[]) AS d(r, m)
       WHERE p.group_id = $1 AND p.reference_id = d.r AND p.matched_reference_id = d.m`, [cycle.groupId, goneRefs, goneMatched]);
    await c.query(`SELECT set_config('enable_hashjoin', 'on', true), set_config('enable_mergejoin', 'on', true)`);
    if (rowCount !== goneRefs.length) return null;
  }
  if (!added.length) return 0;
  try {
    await copyChunks(c, COPY_NEW_PAGE, pageCopyData(added, cycle));
    return added.length;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return null; // unique_violation: the row was there
    throw err;
  }
}
