// The flat strategy (and the bipartite builder's chunk-pair loop of the original design):
// every node of one side against every node of the other, scored exactly, edges above the
// scorer's threshold offered to the top-K.
//
// Directions: `mirror: false` offers each edge to the row of the left node only (the left side
// must carry top-K rows); `mirror: true` offers it to both nodes' rows (a node with row -1 is
// skipped), and when both sides are the very same PageSide only pairs a < b are scored, so each
// unordered pair is scored once (the i ≤ j triangle of the seed's symmetric builder).
import type { PairScorer } from './pairScorer.ts';
import type { PageSide } from './pageSide.ts';
import type { TopK } from './topK.ts';

export interface FlatOptions {
  mirror: boolean;
}

/** Scores left × right into `topK`; returns the number of pairs scored. */
export function scoreFlat(scorer: PairScorer, left: PageSide, right: PageSide, topK: TopK, opts: FlatOptions): number {
  const bound = scorer.bind(left.page, right.page);
  const threshold = scorer.threshold;
  const triangle = opts.mirror && left === right;
  const mirror = opts.mirror;
  const ln = left.nodes;
  const rn = right.nodes;
  const lIds = left.ids;
  const rIds = right.ids;
  const lRows = left.rows;
  const rRows = right.rows;
  const out = new Float64Array(rn.length);
  let pairs = 0;
  for (let x = 0; x < ln.length; x++) {
    const a = ln[x];
    const idA = lIds[a];
    const rowA = lRows[a];
    const from = triangle ? x + 1 : 0;
    const cols = from === 0 ? rn : rn.subarray(from);
    bound.scoreRow(a, cols, out);
    pairs += cols.length;
    for (let y = 0; y < cols.length; y++) {
      const s = out[y];
      if (s <= threshold) continue;
      const b = cols[y];
      const idB = rIds[b];
      if (idA === idB) continue;
      if (rowA >= 0) topK.offer(rowA, idB, s);
      if (mirror) {
        const rowB = rRows[b];
        if (rowB >= 0) topK.offer(rowB, idA, s);
      }
    }
  }
  return pairs;
}
