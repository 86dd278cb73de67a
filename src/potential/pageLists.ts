// A row page's ranked lists: each row node's best K + R neighbours (R = the reserve), from its
// top-K heap, and for the E pages of an incremental cycle, merged with what the node had stored
// (docs/architecture.md, "Incremental cycles"). Pure: the stored lists come in, lists go out.
import { mergeSurvivors, sortRanked, type RankedList } from '../matching/rankedList.ts';
import type { TopKState } from './scoringTask.ts';

/**
 * What a node has stored: its ranked list, best first — the first K entries are its
 * potential_matches rows, the rest its reserve — and whether it holds every candidate.
 */
export interface StoredList {
  refs: string[];
  scores: Float64Array;
  exhaustive: boolean;
  /** the node's LSH candidates when its list was ranked (an upper bound), with a candidate limit; else null */
  colliders: number | null;
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
 * the row's exact list when at least `k` entries are known exactly. Rows marked in `full` are not
 * merged: they are scored against every node.
 */
export function mergeStoredLists(
  rowRefs: string[], fresh: TopKState | undefined, keep: number, k: number,
  stored: Map<string, StoredList>, idOf: Map<string, number>, unchangedId: (id: number) => boolean, full?: Uint8Array,
): MergedPage {
  const lists: Array<RankedList | null> = [];
  const rescore = new Uint8Array(rowRefs.length);
  let rescored = 0;
  rowRefs.forEach((ref, x) => {
    if (full?.[x]) {
      rescore[x] = 1;
      rescored++;
      lists.push(null);
      return;
    }
    const own = stored.get(ref);
    const n = own?.refs.length ?? 0;
    const ids = new Int32Array(n);
    const scores = new Float64Array(n);
    let m = 0;
    // stored best first, by score and then reference id: the order of neighbour ids too
    for (let j = 0; j < n; j++) {
      const id = idOf.get(own!.refs[j]);
      if (id !== undefined && unchangedId(id)) {
        ids[m] = id;
        scores[m++] = own!.scores[j];
      }
    }
    const survivors = { ids: ids.subarray(0, m), scores: scores.subarray(0, m), exhaustive: own?.exhaustive ?? false };
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
