// Which strategy a perfect-match job really runs for a graph of a given size. Blossom is exact and
// its time grows faster than the edge count (figures: docs/benchmarks.md). Past the limit a job runs
// greedy instead (at least half the optimum; 97 % of it on those graphs), and a bipartite graph
// runs optimal assignment, which reaches the same optimum as blossom.
import type { StrategyName } from './strategies.ts';

export interface StrategyChoice {
  strategy: StrategyName;
  /** why the strategy run differs from the one configured */
  fallback?: string;
}

export function strategyForSize(configured: StrategyName, bipartite: boolean, nodes: number, blossomMaxNodes: number): StrategyChoice {
  const tooBig = blossomMaxNodes > 0 && nodes > blossomMaxNodes;
  const usesBlossom = configured === 'blossom' || (configured === 'hopcroft-karp' && !bipartite);
  if (!tooBig || !usesBlossom) return { strategy: configured };
  const strategy: StrategyName = bipartite ? 'assignment' : 'greedy';
  return {
    strategy,
    fallback: `${nodes} nodes exceed PERFECT_BLOSSOM_MAX_NODES=${blossomMaxNodes}: ran ${strategy} instead of ${configured}` +
      (bipartite ? ' (the same optimum on a bipartite graph)' : ' (at least half the optimum)'),
  };
}
