// A node's ranked neighbour list as incremental cycles keep it: the first entries of its ranking
// over the group (best first; equal scores by smaller neighbour id, as topK.ts orders them), and
// whether that list holds every candidate above the threshold (exhaustive) or stops short.
//
// An incremental cycle re-scores a node that did not change only against the nodes that did (or
// are new). Its stored entries that point at unchanged nodes are still exact, and they are a
// prefix of its ranking over the unchanged nodes; merged with the fresh entries, the result is
// exact down to the last stored survivor, below which unchanged nodes the node never kept could
// rank. mergeSurvivors returns that exact part, or null when it holds fewer than `need` entries:
// the node must then be scored against every node again.

export interface RankedList {
  ids: Int32Array;
  scores: Float64Array;
  /** the list holds every candidate of the node above the threshold */
  exhaustive: boolean;
}

/** Is (sa, ia) ranked before (sb, ib)? */
export function ranksBefore(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa > sb || (sa === sb && ia < ib);
}

/** The entries of `ids`/`scores` (any order) sorted best first. */
export function sortRanked(ids: ArrayLike<number>, scores: ArrayLike<number>, n = ids.length): { ids: Int32Array; scores: Float64Array } {
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (scores[b] - scores[a]) || (ids[a] - ids[b]));
  return { ids: Int32Array.from(order, (i) => ids[i]), scores: Float64Array.from(order, (i) => scores[i]) };
}

/**
 * Merges `survivors` (the stored entries at unchanged nodes, best first) with `fresh` (the node's
 * best entries among the changed and new nodes, best first, at most `keep` of them; `freshAll`:
 * there were no more). Returns the first `keep` entries of the merged ranking that are known
 * exactly, or null when fewer than `need` are and the node may have more candidates.
 */
export function mergeSurvivors(
  survivors: RankedList, fresh: { ids: Int32Array; scores: Float64Array }, freshAll: boolean, keep: number, need: number,
): RankedList | null {
  const ns = survivors.ids.length;
  const nf = fresh.ids.length;
  // Without exhaustive survivors, unchanged nodes never kept may rank right after the last one.
  const bounded = !survivors.exhaustive;
  if (bounded && ns === 0) return need <= 0 ? { ids: new Int32Array(0), scores: new Float64Array(0), exhaustive: false } : null;
  const ids: number[] = [];
  const scores: number[] = [];
  let a = 0;
  let b = 0;
  while (ids.length < keep && (a < ns || b < nf)) {
    // below the last survivor, a fresh entry's place among unknown unchanged nodes is unknown
    if (bounded && a === ns) break;
    if (a === ns || (b < nf && ranksBefore(fresh.scores[b], fresh.ids[b], survivors.scores[a], survivors.ids[a]))) {
      ids.push(fresh.ids[b]);
      scores.push(fresh.scores[b++]);
    } else {
      ids.push(survivors.ids[a]);
      scores.push(survivors.scores[a++]);
    }
  }
  // every candidate is known: the list is exact however short it is
  const everything = !bounded && freshAll && a === ns && b === nf;
  if (ids.length < need && !everything) return null;
  return { ids: Int32Array.from(ids), scores: Float64Array.from(scores), exhaustive: everything };
}
