// Hopcroft–Karp maximum-cardinality bipartite matching, O(m √n): breadth-first layers from the
// free left nodes, then vertex-disjoint shortest augmenting paths by an iterative depth-first
// search (no recursion, so long paths cannot overflow the stack). Scores are ignored for the
// choice and reported for the chosen pairs; every edge counts, whatever its score.
import { type BipartiteGraph, type Pairs, adjacencyOf, pairsFromEdges } from './graph.ts';

export function hopcroftKarp(g: BipartiteGraph): Pairs {
  const { nLeft, nRight } = g;
  const adj = adjacencyOf(g.left, nLeft);
  const matchEdge = new Int32Array(nLeft).fill(-1); // edge matching each left node
  const matchRight = new Int32Array(nRight).fill(-1); // left node matched to each right node
  const dist = new Int32Array(nLeft);
  const queue = new Int32Array(nLeft);
  const cursor = new Int32Array(nLeft);
  const stack = new Int32Array(nLeft);
  const UNREACHED = 0x7fffffff;

  for (;;) {
    // Layers: free left nodes at 0; `limit` is the layer where a free right node is first seen.
    let head = 0;
    let tail = 0;
    for (let i = 0; i < nLeft; i++) {
      if (matchEdge[i] === -1) {
        dist[i] = 0;
        queue[tail++] = i;
      } else dist[i] = UNREACHED;
    }
    let limit = UNREACHED;
    while (head < tail) {
      const i = queue[head++];
      if (dist[i] >= limit) continue;
      for (let t = adj.start[i]; t < adj.start[i + 1]; t++) {
        const w = matchRight[g.right[adj.edge[t]]];
        if (w === -1) {
          if (limit === UNREACHED) limit = dist[i];
        } else if (dist[w] === UNREACHED) {
          dist[w] = dist[i] + 1;
          queue[tail++] = w;
        }
      }
    }
    if (limit === UNREACHED) break;

    // Disjoint shortest augmenting paths along the layers.
    for (let i = 0; i < nLeft; i++) cursor[i] = adj.start[i];
    for (let root = 0; root < nLeft; root++) {
      if (matchEdge[root] !== -1 || dist[root] !== 0) continue;
      let top = 0;
      stack[top++] = root;
      while (top > 0) {
        const i = stack[top - 1];
        if (cursor[i] === adj.start[i + 1]) {
          dist[i] = UNREACHED; // dead end: no augmenting path through i in this phase
          top--;
          continue;
        }
        const e = adj.edge[cursor[i]++];
        const w = matchRight[g.right[e]];
        if (w === -1) {
          if (dist[i] !== limit) continue;
          // Augment along the stack: each node takes the edge it last tried.
          for (let s = top - 1; s >= 0; s--) {
            const x = stack[s];
            const ex = adj.edge[cursor[x] - 1];
            matchEdge[x] = ex;
            matchRight[g.right[ex]] = x;
          }
          top = 0;
        } else if (dist[w] === dist[i] + 1) {
          stack[top++] = w;
        }
      }
    }
  }

  let count = 0;
  for (let i = 0; i < nLeft; i++) if (matchEdge[i] !== -1) count++;
  const chosen = new Int32Array(count);
  for (let i = 0, c = 0; i < nLeft; i++) if (matchEdge[i] !== -1) chosen[c++] = matchEdge[i];
  return pairsFromEdges(g, chosen);
}
