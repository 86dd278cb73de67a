// The perfect-match strategies by the names of migrations/001 `matching_algorithms`, with one
// entry point that every caller (the perfect-match job, `matchflow solve`, the benchmarks) uses:
// it brings the graph into canonical form first, so that the same set of edges gives the same
// pairs whatever order they arrived in.
import {
  type BipartiteGraph,
  type GeneralGraph,
  type MatchGraph,
  type Pairs,
  bipartiteAsGeneral,
  canonicalBipartite,
  canonicalGeneral,
  sortPairs,
} from './graph.ts';
import { type ChoosingSides, mutualTopKBipartite, mutualTopKGeneral, topKBipartite, topKGeneral } from './topK.ts';
import { greedyBipartite, greedyGeneral } from './greedy.ts';
import { maxWeightAssignment, pairsFromMates } from './optimalAssignment.ts';
import { auctionAssignment } from './auction.ts';
import { maxWeightMatching } from './blossom.ts';
import { stableMatching } from './stableMatching.ts';
import { hopcroftKarp } from './hopcroftKarp.ts';

export const STRATEGY_NAMES = ['top-k', 'mutual-top-k', 'greedy', 'assignment', 'auction', 'blossom', 'stable', 'hopcroft-karp'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export function isStrategyName(s: string): s is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(s);
}

export interface StrategyOptions {
  /** K of top-k and mutual-top-k */
  topK: number;
  /** bipartite top-k: whose rankings count */
  topKSides?: ChoosingSides;
  /** stable: slots per left / right node */
  leftCapacity?: number | Int32Array;
  rightCapacity?: number | Int32Array;
  /** assignment: dense/sparse choice */
  assignmentMethod?: 'auto' | 'dense' | 'sparse';
  denseMaxCells: number;
  denseMinDensity: number;
  /** auction: rounding resolution of scores */
  auctionBits: number;
}

export interface StrategyInfo {
  name: StrategyName;
  summary: string;
  /** each node in at most one pair */
  oneToOne: boolean;
  /** runs on an undirected graph over one node set (SYMMETRIC groups) */
  general: boolean;
}

export const STRATEGIES: readonly StrategyInfo[] = [
  { name: 'top-k', summary: 'every node keeps its K best edges; an edge is kept when either end ranks it within K', oneToOne: false, general: true },
  { name: 'mutual-top-k', summary: 'keeps an edge when both ends rank it within their K best', oneToOne: false, general: true },
  { name: 'greedy', summary: 'one-to-one, highest score first (fast; at least half the optimum)', oneToOne: true, general: true },
  { name: 'assignment', summary: 'one-to-one, maximum total score (Jonker-Volgenant; dense or sparse chosen by size)', oneToOne: true, general: false },
  { name: 'auction', summary: 'one-to-one, maximum total score of the rounded scores (auction, epsilon-scaling)', oneToOne: true, general: false },
  { name: 'blossom', summary: 'one-to-one, maximum total score on any graph (Edmonds blossom)', oneToOne: true, general: true },
  { name: 'stable', summary: 'stable matching, left side proposes (Gale-Shapley; right capacities = hospitals/residents)', oneToOne: false, general: false },
  { name: 'hopcroft-karp', summary: 'one-to-one, most pairs regardless of score (Hopcroft-Karp; blossom on a general graph)', oneToOne: true, general: true },
];

export function strategyInfo(name: StrategyName): StrategyInfo {
  return STRATEGIES.find((s) => s.name === name)!;
}

/** SYMMETRIC groups pair nodes of one set (blossom); BIPARTITE groups pair two sides (assignment). */
export function defaultStrategy(matchType: 'SYMMETRIC' | 'BIPARTITE'): StrategyName {
  return matchType === 'SYMMETRIC' ? 'blossom' : 'assignment';
}

export class UnsupportedGraphError extends Error {}

/**
 * Runs a strategy. Pairs come back in canonical orientation (bipartite: left, right; general:
 * smaller id first), sorted, each with its edge's score (the highest, for a pair listed twice).
 */
export function runStrategy(name: StrategyName, graph: MatchGraph, opts: StrategyOptions): Pairs {
  if (graph.bipartite) return runBipartite(name, canonicalBipartite(graph), opts);
  const info = strategyInfo(name);
  if (!info.general) {
    throw new UnsupportedGraphError(`strategy '${name}' needs a bipartite graph (two sides); on one node set use blossom, greedy, top-k or mutual-top-k`);
  }
  return runGeneral(name, canonicalGeneral(graph), opts);
}

function runBipartite(name: StrategyName, g: BipartiteGraph, opts: StrategyOptions): Pairs {
  switch (name) {
    case 'top-k':
      return topKBipartite(g, opts.topK, opts.topKSides);
    case 'mutual-top-k':
      return mutualTopKBipartite(g, opts.topK);
    case 'greedy':
      return greedyBipartite(g);
    case 'assignment':
      return maxWeightAssignment(g, { method: opts.assignmentMethod, denseMaxCells: opts.denseMaxCells, denseMinDensity: opts.denseMinDensity });
    case 'auction':
      return pairsFromMates(g, auctionAssignment(g, { bits: opts.auctionBits }).rightForLeft);
    case 'blossom':
      return generalPairsToBipartite(maxWeightMatching(bipartiteAsGeneral(g)), g);
    case 'stable':
      return stableMatching(g, { leftCapacity: opts.leftCapacity, rightCapacity: opts.rightCapacity });
    case 'hopcroft-karp':
      return hopcroftKarp(g);
  }
}

function runGeneral(name: StrategyName, g: GeneralGraph, opts: StrategyOptions): Pairs {
  switch (name) {
    case 'top-k':
      return topKGeneral(g, opts.topK);
    case 'mutual-top-k':
      return mutualTopKGeneral(g, opts.topK);
    case 'greedy':
      return greedyGeneral(g);
    case 'blossom':
      return maxWeightMatching(g);
    case 'hopcroft-karp':
      return maximumCardinalityGeneral(g);
    default:
      throw new UnsupportedGraphError(`strategy '${name}' needs a bipartite graph`);
  }
}

/** On one node set, a maximum-cardinality matching is a maximum-weight matching of unit weights. */
function maximumCardinalityGeneral(g: GeneralGraph): Pairs {
  const unit = { ...g, score: new Float64Array(g.score.length).fill(1) };
  const p = maxWeightMatching(unit);
  // Report the real scores: the pairs are edges of the canonical graph, found by position.
  const scoreOf = new Map<number, number>();
  for (let k = 0; k < g.left.length; k++) scoreOf.set(g.left[k] * g.n + g.right[k], g.score[k]);
  for (let t = 0; t < p.left.length; t++) p.score[t] = scoreOf.get(p.left[t] * g.n + p.right[t])!;
  return p;
}

function generalPairsToBipartite(p: Pairs, g: BipartiteGraph): Pairs {
  // In the general view left ids come first, so every pair is (left id, nLeft + right id).
  const right = new Int32Array(p.right.length);
  for (let t = 0; t < right.length; t++) right[t] = p.right[t] - g.nLeft;
  return sortPairs({ left: p.left, right, score: p.score }, g.nLeft, g.nRight);
}
