// The solve step of perfect-match-group: the group's loaded graph (in memory, or spilled to LMDB
// when it outgrew the memory budget) through the strategy that fits its size, on the solver
// thread.
import type { MatchGraph, Pairs } from '../matching/perfect/graph.ts';
import { strategyForSize } from '../matching/perfect/sizeGuard.ts';
import type { StrategyName, StrategyOptions } from '../matching/perfect/strategies.ts';
import type { ThreadRunner } from '../shared/processor.ts';
import type { LoadedGraph } from './loadGroupGraph.ts';
import { planSpilled } from './solveSpilled.ts';
import { perfectMatchTransfer, type PerfectMatchTask } from './solveTask.ts';

export interface Solved {
  pairs: Pairs;
  /** the strategy that ran */
  strategy: StrategyName;
  edges: number;
  /** how a group larger than the memory budget was solved */
  outOfCore?: string;
  /** why another strategy than the configured one ran (group size) */
  fallback?: string;
}

export interface SolveOptions {
  strategy: StrategyName;
  options: StrategyOptions;
  maxBytes: number;
  blossomMaxNodes: number;
  threads: ThreadRunner;
}

export async function solveGroup(loaded: LoadedGraph, o: SolveOptions): Promise<Solved> {
  const nodes = loaded.leftRefs.length + loaded.rightRefs.length;
  const { strategy, fallback } = strategyForSize(o.strategy, loaded.bipartite, nodes, o.blossomMaxNodes);
  let graph: MatchGraph;
  let edges: number;
  let outOfCore: string | undefined;
  if (loaded.inMemory) {
    graph = loaded.graph;
    edges = graph.left.length;
  } else {
    edges = loaded.spill.edges;
    const plan = await planSpilled({ spill: loaded.spill, bipartite: loaded.bipartite, nLeft: loaded.leftRefs.length, nRight: loaded.rightRefs.length },
      strategy, o.maxBytes, o.options.topK);
    outOfCore = plan.note;
    if (plan.kind === 'pairs') return { pairs: plan.pairs, strategy, edges, outOfCore, fallback };
    graph = plan.graph;
  }
  const task: PerfectMatchTask = { strategy, graph, options: o.options };
  const pairs = await o.threads.run<Pairs>('perfectMatch', task, perfectMatchTransfer(task));
  return { pairs, strategy, edges, outOfCore, fallback };
}

export function totalScore(p: Pairs): number {
  let total = 0;
  for (let k = 0; k < p.score.length; k++) total += p.score[k];
  return total;
}
