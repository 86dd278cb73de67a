// Ranking one row page: the scoring plan a build-chunk-pair job and a dry run both follow, so that
// a dry run reports what a cycle writes. N rows are scored against every page; E rows against the
// N pages, merged with what they had stored, and scored against the E pages too only where the
// merge cannot settle their top-K (pageLists.ts).
import type { RankedList } from '../matching/rankedList.ts';
import type { GroupSettings } from '../groups/groupSettings.ts';
import { lapTimer } from '../shared/lapTimer.ts';
import { pageKey, type PageInfo } from './cycleStore.ts';
import { batchesWithin, columnPages, type NeighbourIds } from './cyclePlan.ts';
import { heapList, mergeStoredLists, type StoredList } from './pageLists.ts';
import type { ScoreRowsInput, ScoreRowsOutput, TopKState } from './scoringTask.ts';

export interface RankingIo {
  /** runs scoreRows (in a worker thread, or in this process) */
  score(input: ScoreRowsInput): Promise<ScoreRowsOutput>;
  /** the encoded data of the given pages, by pageKey */
  load(pages: PageInfo[]): Promise<Map<string, Uint8Array>>;
  /** E pages: what the row nodes have stored */
  stored(refs: string[]): Promise<Map<string, StoredList>>;
  /** bytes of encoded column pages per scoring call */
  batchBytes: number;
}

export interface RankedPage {
  lists: RankedList[];
  /** E pages: the stored lists the merge read */
  stored?: Map<string, StoredList>;
  pairs: number;
  /** edges above the threshold offered to the rows' lists */
  offered: number;
  batches: number;
  /** E rows scored against every page because the merge could not settle them */
  rescored: number;
  /** where the time went (ms) */
  ms: Record<'load' | 'score' | 'stored' | 'merge' | 'rescore', number>;
}

export async function rankPage(io: RankingIo, settings: GroupSettings, rows: PageInfo, pages: PageInfo[], named: NeighbourIds): Promise<RankedPage> {
  const keep = settings.topK + settings.reserve;
  const { ms, lap } = lapTimer(['load', 'score', 'stored', 'merge', 'rescore'] as const);
  const rowsData = (await io.load([rows])).get(pageKey(rows.kind, rows.index))!;
  const out = { pairs: 0, offered: 0, batches: 0, ms };
  const score = async (columns: PageInfo[], from: TopKState | undefined, rowMask?: Uint8Array) => {
    let state = from;
    for (const batch of batchesWithin(columns, io.batchBytes)) {
      lap(rowMask ? 'rescore' : 'score');
      const data = await io.load(batch);
      lap('load');
      const r = await io.score({
        scorer: settings.scorer,
        candidates: settings.candidates,
        bipartite: settings.partition !== null,
        rowsPage: rowsData,
        rowIds: named.ids.get(pageKey(rows.kind, rows.index))!,
        columns: batch.map((p) => ({ page: data.get(pageKey(p.kind, p.index))!, ids: named.ids.get(pageKey(p.kind, p.index))! })),
        k: keep,
        state,
        rowMask,
      });
      state = r.state;
      out.pairs += r.pairs;
      out.offered += r.offered;
      out.batches++;
    }
    lap(rowMask ? 'rescore' : 'score');
    return state;
  };
  const state = await score(columnPages(rows.kind, pages), undefined);
  if (rows.kind === 'N') return { ...out, lists: rows.referenceIds.map((_, x) => heapList(state, keep, x)), rescored: 0 };
  const stored = await io.stored(rows.referenceIds);
  lap('stored');
  const merged = mergeStoredLists(rows.referenceIds, state, keep, settings.topK, stored, named.idOf(), (id) => named.newIds[id] === 0);
  lap('merge');
  let full = state;
  if (merged.rescored > 0) full = await score(pages.filter((p) => p.kind === 'E' && p.nodeCount > 0), state, merged.rescore);
  return { ...out, stored, rescored: merged.rescored, lists: merged.lists.map((l, x) => l ?? heapList(full, keep, x)) };
}
