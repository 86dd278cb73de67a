// Exhaustive-search oracles and random small graphs for the perfect-match algorithm tests.
import { seededRandom } from '../../../src/synthetic/random.ts';
import { type BipartiteGraph, type GeneralGraph, type Pairs, canonicalBipartite, canonicalGeneral } from '../../../src/matching/perfect/graph.ts';

export type Rng = () => number;
export const rng = seededRandom;

export interface GraphShape {
  maxNodes: number;
  density: number;
  /** scores drawn from a few integer levels (many ties), possibly ≤ 0 */
  ties: boolean;
  negatives: boolean;
}

export function randomShape(rnd: Rng, maxNodes = 6): GraphShape {
  return { maxNodes, density: 0.15 + rnd() * 0.85, ties: rnd() < 0.5, negatives: rnd() < 0.3 };
}

function randomScore(rnd: Rng, s: GraphShape): number {
  if (s.ties) return Math.floor(rnd() * 4) - (s.negatives ? 1 : 0); // levels {-1,} 0..3
  return s.negatives ? rnd() * 2 - 0.5 : rnd();
}

export function randomBipartite(rnd: Rng, s: GraphShape): BipartiteGraph {
  const nLeft = Math.floor(rnd() * (s.maxNodes + 1));
  const nRight = Math.floor(rnd() * (s.maxNodes + 1));
  const l: number[] = [], r: number[] = [], w: number[] = [];
  for (let i = 0; i < nLeft; i++) for (let j = 0; j < nRight; j++) if (rnd() < s.density) { l.push(i); r.push(j); w.push(randomScore(rnd, s)); }
  return canonicalBipartite({ nLeft, nRight, left: Int32Array.from(l), right: Int32Array.from(r), score: Float64Array.from(w) });
}

export function randomGeneral(rnd: Rng, s: GraphShape): GeneralGraph {
  const n = Math.floor(rnd() * (s.maxNodes + 1));
  const l: number[] = [], r: number[] = [], w: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rnd() < s.density) { l.push(i); r.push(j); w.push(randomScore(rnd, s)); }
  return canonicalGeneral({ n, left: Int32Array.from(l), right: Int32Array.from(r), score: Float64Array.from(w) });
}

/** Every matching of the graph (edge index lists), by include/exclude over the edges. */
export function allMatchings(left: Int32Array, right: Int32Array, rightOffset: number, nNodes: number): number[][] {
  const out: number[][] = [];
  const used = new Uint8Array(nNodes);
  const cur: number[] = [];
  const m = left.length;
  const walk = (k: number): void => {
    if (k === m) {
      out.push(cur.slice());
      return;
    }
    walk(k + 1);
    const a = left[k], b = right[k] + rightOffset;
    if (!used[a] && !used[b]) {
      used[a] = used[b] = 1;
      cur.push(k);
      walk(k + 1);
      cur.pop();
      used[a] = used[b] = 0;
    }
  };
  walk(0);
  return out;
}

export interface MatchingOptimum {
  weight: number;
  cardinality: number;
}

export function bipartiteOptimum(g: BipartiteGraph): MatchingOptimum {
  return optimum(g.score, allMatchings(g.left, g.right, g.nLeft, g.nLeft + g.nRight));
}

export function generalOptimum(g: GeneralGraph): MatchingOptimum {
  return optimum(g.score, allMatchings(g.left, g.right, 0, g.n));
}

function optimum(score: Float64Array, matchings: number[][]): MatchingOptimum {
  let weight = 0, cardinality = 0;
  for (const mm of matchings) {
    let w = 0;
    for (const k of mm) w += score[k];
    if (w > weight) weight = w;
    if (mm.length > cardinality) cardinality = mm.length;
  }
  return { weight, cardinality };
}

/** Throws unless the pairs are edges of g, one-to-one, with the edge's score. */
export function assertMatchingOf(p: Pairs, left: Int32Array, right: Int32Array, score: Float64Array, rightOffset: number, nNodes: number): void {
  const used = new Uint8Array(nNodes);
  const edge = new Map<string, number>();
  for (let k = 0; k < left.length; k++) edge.set(`${left[k]},${right[k]}`, score[k]);
  for (let t = 0; t < p.left.length; t++) {
    const key = `${p.left[t]},${p.right[t]}`;
    if (!edge.has(key)) throw new Error(`pair ${key} is not an edge`);
    if (edge.get(key) !== p.score[t]) throw new Error(`pair ${key} reports score ${p.score[t]}, edge has ${edge.get(key)}`);
    const a = p.left[t], b = p.right[t] + rightOffset;
    if (used[a] || used[b]) throw new Error(`node of pair ${key} is matched twice`);
    used[a] = used[b] = 1;
  }
}

export function pairsKey(p: Pairs): string {
  const rows: string[] = [];
  for (let t = 0; t < p.left.length; t++) rows.push(`${p.left[t]}-${p.right[t]}:${p.score[t]}`);
  return rows.join(' ');
}

export function sumScores(p: Pairs): number {
  let s = 0;
  for (let t = 0; t < p.score.length; t++) s += p.score[t];
  return s;
}
