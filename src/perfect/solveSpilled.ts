// What the perfect stage does with a group that was spilled to LMDB (edgeSpill.ts). Greedy runs
// exactly, streaming the edges in rank order in O(n) memory. Every other strategy runs on the
// union of each node's best `cap` edges, with `cap` the largest that fits the memory budget:
// exact for top-K / mutual top-K when K ≤ cap; for one-to-one strategies an optimum can in
// principle use an edge outside both endpoints' top `cap`, so the result is then the optimum of
// the reduced graph (reported in the job's result).
import type { MatchGraph, Pairs } from '../matching/perfect/graph.ts';
import { DegreeCap } from '../matching/perfect/degreeCap.ts';
import { StreamingGreedy } from '../matching/perfect/streamingGreedy.ts';
import type { EdgeSpill } from './edgeSpill.ts';
import { BYTES_PER_EDGE } from './growableEdges.ts';

export type SpilledPlan =
  | { kind: 'pairs'; pairs: Pairs; note: string }
  | { kind: 'graph'; graph: MatchGraph; exact: boolean; note: string };

export interface SpilledGroup {
  spill: EdgeSpill;
  bipartite: boolean;
  nLeft: number;
  nRight: number;
}

export async function planSpilled(g: SpilledGroup, strategy: string, maxBytes: number, topK: number): Promise<SpilledPlan> {
  const nNodes = g.bipartite ? g.nLeft + g.nRight : g.nLeft;
  const rightOffset = g.bipartite ? g.nLeft : 0;
  if (strategy === 'greedy') {
    const greedy = new StreamingGreedy(nNodes, rightOffset);
    await g.spill.merge((a, b, s) => greedy.offer(a, b, s));
    return { kind: 'pairs', pairs: greedy.result(), note: `greedy streamed exactly over ${g.spill.edges} spilled edges` };
  }
  const cap = Math.max(1, Math.floor(maxBytes / BYTES_PER_EDGE / Math.max(1, nNodes)));
  const reducer = new DegreeCap(nNodes, rightOffset, cap);
  await g.spill.merge((a, b, s) => {
    reducer.offer(a, b, s);
  });
  const edges = reducer.result();
  const graph: MatchGraph = g.bipartite
    ? { bipartite: true, nLeft: g.nLeft, nRight: g.nRight, ...edges }
    : { bipartite: false, n: g.nLeft, ...edges };
  const exact = (strategy === 'top-k' || strategy === 'mutual-top-k') && topK <= cap;
  return {
    kind: 'graph', graph, exact,
    note: `spilled ${g.spill.edges} edges; kept each node's best ${cap} (${reducer.kept} edges, ${reducer.dropped} dropped)` +
      (exact ? '; exact for this strategy' : '; result is optimal on the reduced graph'),
  };
}
