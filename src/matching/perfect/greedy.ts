// Greedy one-to-one matching: walk the edges from the highest score down and keep an edge when
// both endpoints are still free. A 1/2-approximation of the maximum-weight matching in
// O(m log m); with distinct scores it is also the unique stable matching of score-ranked
// preferences.
import { type BipartiteGraph, type GeneralGraph, type Pairs, pairsFromEdges, sortPairs } from './graph.ts';
import { edgesByScoreDesc } from './scoreOrder.ts';

/** Greedy matching of a bipartite graph. Edges with a score ≤ 0 are never chosen (they cannot add weight). */
export function greedyBipartite(g: BipartiteGraph): Pairs {
  return greedyOnNodes(g, g.right, g.nLeft, g.nLeft + g.nRight);
}

/** Greedy matching of an undirected graph (edges with a score ≤ 0 are never chosen). */
export function greedyGeneral(g: GeneralGraph): Pairs {
  return greedyOnNodes(g, g.right, 0, g.n);
}

function greedyOnNodes(g: BipartiteGraph | GeneralGraph, right: Int32Array, rightOffset: number, nNodes: number): Pairs {
  const order = edgesByScoreDesc(g.score);
  const used = new Uint8Array(nNodes);
  const chosen = new Int32Array(Math.min(order.length, nNodes >> 1 || 1));
  let count = 0;
  for (let t = 0; t < order.length; t++) {
    const k = order[t];
    if (!(g.score[k] > 0)) break;
    const a = g.left[k];
    const b = right[k] + rightOffset;
    if (used[a] || used[b]) continue;
    used[a] = 1;
    used[b] = 1;
    chosen[count++] = k;
  }
  const pairs = pairsFromEdges(g, chosen, count);
  const n = 'n' in g ? g.n : g.nLeft;
  return sortPairs(pairs, n, 'n' in g ? g.n : g.nRight);
}
