// Ranking one row page: the scoring plan a build-chunk-pair job and a dry run both follow, so that
// a dry run reports what a cycle writes. N rows are scored against every page; E rows against the
// N pages, merged with what they had stored, and scored against the E pages too only where the
// merge cannot settle their top-K (pageLists.ts).
//
// The LSH candidate limit (metadata strategy): a row colliding with more than `limit` nodes scores
// only its `limit` best colliders (lshStrategy.ts, collisionKey). Which ones depends on all of its
// colliders, so a capped row's list cannot be merged: an E row is merged only when it is surely
// not capped — what it had stored counted at most C colliders (an upper bound over the nodes that
// are still unchanged), and C plus its colliders among the N pages is within the limit. Every
// other E row is scored against every node, as a full recompute scores it.
import type { CandidateCut } from '../matching/lshStrategy.ts';
import type { RankedList } from '../matching/rankedList.ts';
import type { GroupSettings } from '../groups/groupSettings.ts';
import { lapTimer } from '../shared/lapTimer.ts';
import { pageKey, type PageInfo } from './cycleStore.ts';
import { batchesWithin, columnPages, type NeighbourIds } from './cyclePlan.ts';
import { heapList, mergeStoredLists, type StoredList } from './pageLists.ts';
import type { CandidatesInput, ColumnInput, ScoreRowsInput, ScoreRowsOutput, TopKState } from './scoringTask.ts';

/** Most bytes of rank keys (12 a key, `limit` keys a capped row) one ranking pass holds. */
const RANK_BYTES = 64 * 2 ** 20;

export interface RankingIo {
  /** runs scoreRows (in a worker thread, or in this process) */
  score(input: ScoreRowsInput): Promise<ScoreRowsOutput>;
  /** runs countCandidates */
  count(input: CandidatesInput & { counts?: Int32Array }): Promise<{ counts: Int32Array }>;
  /** runs rankCandidates */
  rank(input: CandidatesInput & { limit: number; slots: number; slot: Int32Array; state?: TopKState }): Promise<{ state: TopKState }>;
  /** the encoded data of the given pages, by pageKey */
  load(pages: PageInfo[]): Promise<Map<string, Uint8Array>>;
  /** E pages: what the row nodes have stored */
  stored(refs: string[]): Promise<Map<string, StoredList>>;
  /** bytes of encoded column pages per scoring call */
  batchBytes: number;
}

export interface RankedPage {
  lists: RankedList[];
  /**
   * Per row, its LSH candidates (an upper bound for a merged row), when the group has a candidate
   * limit; null otherwise.
   */
  colliders: Int32Array | null;
  /** E pages: the stored lists the merge read */
  stored?: Map<string, StoredList>;
  pairs: number;
  /** edges above the threshold offered to the rows' lists */
  offered: number;
  batches: number;
  /** E rows scored against every page because the merge could not settle them (or they may be capped) */
  rescored: number;
  /** rows over the candidate limit, and the candidate pairs the limit left unscored */
  capped: number;
  unscored: number;
  /** where the time went (ms); `limit`: counting and ranking candidates for the candidate limit */
  ms: Record<'load' | 'score' | 'stored' | 'merge' | 'rescore' | 'limit', number>;
}

type Step = 'score' | 'rescore' | 'limit';

export async function rankPage(io: RankingIo, settings: GroupSettings, rows: PageInfo, pages: PageInfo[], named: NeighbourIds): Promise<RankedPage> {
  const keep = settings.topK + settings.reserve;
  const limit = settings.candidates === 'metadata' ? settings.candidateLimit ?? 0 : 0;
  const { ms, lap } = lapTimer(['load', 'score', 'stored', 'merge', 'rescore', 'limit'] as const);
  const rowKey = pageKey(rows.kind, rows.index);
  const rowsPage = (await io.load([rows])).get(rowKey)!;
  const rowIds = named.ids.get(rowKey)!;
  const n = rows.referenceIds.length;
  const bipartite = settings.partition !== null;
  const out = { pairs: 0, offered: 0, batches: 0, capped: 0, unscored: 0, ms };

  const eachBatch = async (columns: PageInfo[], step: Step, visit: (cols: ColumnInput[]) => Promise<void>) => {
    for (const batch of batchesWithin(columns, io.batchBytes)) {
      lap(step);
      const data = await io.load(batch);
      lap('load');
      await visit(batch.map((p) => ({ page: data.get(pageKey(p.kind, p.index))!, ids: named.ids.get(pageKey(p.kind, p.index))! })));
    }
    lap(step);
  };
  const score = async (columns: PageInfo[], from: TopKState | undefined, step: Step, rowMask?: Uint8Array, cut?: CandidateCut) => {
    let state = from;
    await eachBatch(columns, step, async (cols) => {
      const r = await io.score({
        scorer: settings.scorer, candidates: settings.candidates, bipartite, rowsPage, rowIds, columns: cols, k: keep, state, rowMask, cut,
      });
      state = r.state;
      out.pairs += r.pairs;
      out.offered += r.offered;
      out.batches++;
    });
    return state;
  };
  /** each row's LSH candidates among `columns` (rows outside rowMask: 0) */
  const count = async (columns: PageInfo[], rowMask?: Uint8Array) => {
    let counts: Int32Array = new Int32Array(n);
    await eachBatch(columns, 'limit', async (cols) => {
      counts = (await io.count({ bipartite, rowsPage, rowIds, columns: cols, rowMask, counts })).counts;
    });
    return counts;
  };
  /** the cut of each capped row: its limit-th best collider over `columns` (every page) */
  const cutOf = async (capped: number[], columns: PageInfo[]): Promise<CandidateCut> => {
    const cut = { key: new Float64Array(n).fill(NaN), id: new Int32Array(n) };
    const per = Math.max(1, Math.floor(RANK_BYTES / (12 * limit)));
    for (let g = 0; g < capped.length; g += per) {
      const group = capped.slice(g, g + per);
      const slot = new Int32Array(n).fill(-1);
      const rowMask = new Uint8Array(n);
      group.forEach((x, s) => {
        slot[x] = s;
        rowMask[x] = 1;
      });
      let state: TopKState | undefined;
      await eachBatch(columns, 'limit', async (cols) => {
        state = (await io.rank({ bipartite, rowsPage, rowIds, columns: cols, rowMask, limit, slots: group.length, slot, state })).state;
      });
      // a full heap's root is its worst entry: the last collider the row takes
      group.forEach((x, s) => {
        if (state!.count[s] === limit) {
          cut.key[x] = state!.score[s * limit];
          cut.id[x] = state!.id[s * limit];
        }
      });
    }
    return cut;
  };
  const capOver = async (counts: Int32Array, among: (x: number) => boolean, columns: PageInfo[]) => {
    const capped: number[] = [];
    for (let x = 0; x < n; x++) {
      if (among(x) && counts[x] > limit) {
        capped.push(x);
        out.unscored += counts[x] - limit;
      }
    }
    out.capped = capped.length;
    return capped.length ? cutOf(capped, columns) : undefined;
  };

  if (rows.kind === 'N') {
    const all = columnPages('N', pages);
    const counts = limit ? await count(all) : null;
    const cut = counts ? await capOver(counts, () => true, all) : undefined;
    const state = await score(all, undefined, 'score', undefined, cut);
    return { ...out, lists: rows.referenceIds.map((_, x) => heapList(state, keep, x)), colliders: counts, rescored: 0 };
  }

  const newPages = columnPages('E', pages);
  const oldPages = pages.filter((p) => p.kind === 'E' && p.nodeCount > 0);
  const stored = await io.stored(rows.referenceIds);
  lap('stored');
  let colliders: Int32Array | null = null;
  let full: Uint8Array | undefined;
  let cut: CandidateCut | undefined;
  if (limit) {
    // the rows that may be capped: what they stored counted unknown, or too many, colliders
    colliders = await count(newPages);
    full = new Uint8Array(n);
    let any = false;
    rows.referenceIds.forEach((ref, x) => {
      const had = stored.get(ref)?.colliders ?? null;
      if (had === null || had + colliders![x] > limit) full![x] = 1;
      else colliders![x] += had;
      any ||= full![x] === 1;
    });
    if (any) {
      const olds = await count(oldPages, full);
      for (let x = 0; x < n; x++) if (full[x]) colliders[x] += olds[x];
      cut = await capOver(colliders, (x) => full![x] === 1, [...newPages, ...oldPages]);
    }
  }
  const state = await score(newPages, undefined, 'score', undefined, cut);
  const merged = mergeStoredLists(rows.referenceIds, state, keep, settings.topK, stored, named.idOf(), (id) => named.newIds[id] === 0, full);
  lap('merge');
  let all = state;
  if (merged.rescored > 0) all = await score(oldPages, state, 'rescore', merged.rescore, cut);
  return { ...out, stored, colliders, rescored: merged.rescored, lists: merged.lists.map((l, x) => l ?? heapList(all, keep, x)) };
}
