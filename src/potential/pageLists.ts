// A row page's ranked lists: each row node's best K + R neighbours (R = the reserve), from its
// top-K heap, and for the E pages of an incremental cycle, merged with what the node had stored
// (docs/architecture.md, "Incremental cycles"). Pure: the stored lists come in, lists go out.
import { mergeSurvivors, sortRanked, type RankedList } from '../matching/rankedList.ts';
import type { TopKState } from './scoringTask.ts';

/** What a node has stored: its top-K rows and its reserve, as reference ids, best first. */
export interface StoredList {
  /** potential_matches rows: their ids, neighbours and scores */
  rows: Array<{ id: string; matched: string; score: number }>;
  reserve: Array<{ matched: string; score: number }>;
  /** false also when the node has no reserve row (its list was stored without one) */
  exhaustive: boolean;
}

/** Row x's entries of a top-K heap state (k entries a row), best first. */
export function heapList(state: TopKState | undefined, k: number, x: number): RankedList {
  const n = state ? state.count[x] : 0;
  if (!state || n === 0) return { ids: new Int32Array(0), scores: new Float64Array(0), exhaustive: true };
  const sorted = sortRanked(state.id.subarray(x * k, x * k + n), state.score.subarray(x * k, x * k + n));
  return { ...sorted, exhaustive: n < k };
}

export interface MergedPage {
  /** per row: its merged list, or null when the row must be scored against every node again */
  lists: Array<RankedList | null>;
  /** 1 for the rows to score again */
  rescore: Uint8Array;
  rescored: number;
}

/**
 * The E rows of an incremental cycle: `fresh` holds each row's best K + R among the cycle's new
 * (and changed) nodes. A row's stored entries at nodes that are still there and unchanged
 * (`unchangedId` says which neighbour ids those are) survive; merged with the fresh ones, they give
 * the row's exact list when at least `k` entries are known exactly.
 */
export function mergeStoredLists(
  rowRefs: string[], fresh: TopKState | undefined, keep: number, k: number,
  stored: Map<string, StoredList>, idOf: Map<string, number>, unchangedId: (id: number) => boolean,
): MergedPage {
  const lists: Array<RankedList | null> = [];
  const rescore = new Uint8Array(rowRefs.length);
  let rescored = 0;
  rowRefs.forEach((ref, x) => {
    const own = stored.get(ref);
    const ids: number[] = [];
    const scores: number[] = [];
    for (const e of own ? [...own.rows, ...own.reserve] : []) {
      const id = idOf.get(e.matched);
      if (id !== undefined && unchangedId(id)) {
        ids.push(id);
        scores.push(e.score);
      }
    }
    const survivors = { ...sortRanked(ids, scores), exhaustive: own?.exhaustive ?? false };
    const f = heapList(fresh, keep, x);
    const merged = mergeSurvivors(survivors, f, f.exhaustive, keep, k);
    if (!merged) {
      rescore[x] = 1;
      rescored++;
    }
    lists.push(merged);
  });
  return { lists, rescore, rescored };
}
