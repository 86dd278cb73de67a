// Top-K per node and mutual top-K. Every node ranks its edges (score descending, ties by the
// canonical edge order) and keeps its K best. `top-k` keeps an edge when at least one endpoint
// (of the sides that choose) ranks it within its K best; `mutual-top-k` only when both do.
// Not one-to-one: a node may appear in many pairs. All edges are ranked, whatever their sign.
import { type BipartiteGraph, type GeneralGraph, type Pairs, pairsFromEdges } from './graph.ts';
import { edgesByScoreDesc } from './scoreOrder.ts';

/** Which side's rankings count in a bipartite graph; a general graph always uses both endpoints. */
export type ChoosingSides = 'both' | 'left' | 'right';

export function topKBipartite(g: BipartiteGraph, k: number, sides: ChoosingSides = 'both'): Pairs {
  return selectByRank(g, g.right, g.nLeft, g.nLeft + g.nRight, k, sides === 'right' ? 'none' : 'any', sides === 'left' ? 'none' : 'any', false);
}

export function topKGeneral(g: GeneralGraph, k: number): Pairs {
  return selectByRank(g, g.right, 0, g.n, k, 'any', 'any', false);
}

/** Edges that both endpoints rank within their K best. */
export function mutualTopKBipartite(g: BipartiteGraph, k: number): Pairs {
  return selectByRank(g, g.right, g.nLeft, g.nLeft + g.nRight, k, 'any', 'any', true);
}

export function mutualTopKGeneral(g: GeneralGraph, k: number): Pairs {
  return selectByRank(g, g.right, 0, g.n, k, 'any', 'any', true);
}

function selectByRank(
  g: BipartiteGraph | GeneralGraph,
  right: Int32Array,
  rightOffset: number,
  nNodes: number,
  k: number,
  leftChooses: 'any' | 'none',
  rightChooses: 'any' | 'none',
  mutual: boolean,
): Pairs {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`top-K needs K ≥ 1 (got ${k})`);
  const m = g.left.length;
  const order = edgesByScoreDesc(g.score);
  // ranked[v]: how many of v's edges rank above the current one.
  const ranked = new Int32Array(nNodes);
  const keep = new Uint8Array(m);
  for (let t = 0; t < m; t++) {
    const e = order[t];
    const a = g.left[e];
    const b = right[e] + rightOffset;
    const inA = leftChooses === 'any' && ranked[a] < k;
    const inB = rightChooses === 'any' && ranked[b] < k;
    ranked[a]++;
    ranked[b]++;
    if (mutual ? inA && inB : inA || inB) keep[e] = 1;
  }
  // Kept edges in edge order: on a canonical graph that is (left, right) order.
  let count = 0;
  for (let e = 0; e < m; e++) count += keep[e];
  const chosen = new Int32Array(count);
  for (let e = 0, c = 0; e < m; e++) if (keep[e]) chosen[c++] = e;
  return pairsFromEdges(g, chosen);
}
