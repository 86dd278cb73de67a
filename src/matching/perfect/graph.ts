// The shapes every perfect-match algorithm works on: an edge list in typed arrays (structured-
// clonable, so a graph can be handed to a worker thread without copying object trees).

/** Parallel arrays: edge (or chosen pair) k joins left[k] and right[k] with weight score[k]. */
export interface EdgeList {
  left: Int32Array;
  right: Int32Array;
  score: Float64Array;
}

/** Two node sets: left ids in [0, nLeft), right ids in [0, nRight). */
export interface BipartiteGraph extends EdgeList {
  nLeft: number;
  nRight: number;
}

/** One node set of n nodes; an edge joins left[k] and right[k], both ids in [0, n). Undirected. */
export interface GeneralGraph extends EdgeList {
  n: number;
}

export type MatchGraph = ({ bipartite: true } & BipartiteGraph) | ({ bipartite: false } & GeneralGraph);

/**
 * What a strategy returns: chosen pairs in canonical orientation (bipartite: left id, right id;
 * general: smaller id first), sorted by (left, right), each with its edge score.
 */
export type Pairs = EdgeList;

export function emptyPairs(): Pairs {
  return { left: new Int32Array(0), right: new Int32Array(0), score: new Float64Array(0) };
}

export function totalScore(p: Pairs): number {
  let s = 0;
  for (let k = 0; k < p.score.length; k++) s += p.score[k];
  return s;
}

/** Pairs from the edges whose index is listed (in that order). */
export function pairsFromEdges(g: EdgeList, edges: Int32Array | number[], count = edges.length): Pairs {
  const out = { left: new Int32Array(count), right: new Int32Array(count), score: new Float64Array(count) };
  for (let k = 0; k < count; k++) {
    const e = edges[k];
    out.left[k] = g.left[e];
    out.right[k] = g.right[e];
    out.score[k] = g.score[e];
  }
  return out;
}

/** The pairs sorted by (left, right), as a new object (two counting sorts, no comparisons). */
export function sortPairs(p: Pairs, nLeft: number, nRight: number): Pairs {
  const order = edgeOrderByEndpoints(p.left, p.right, nLeft, nRight);
  return pairsFromEdges(p, order);
}

/**
 * Edge indices ordered by (left, right), ties kept in input order: two stable counting sorts
 * (by right, then by left), O(m + nLeft + nRight) — a comparison sort of a million edges costs
 * several times more.
 */
export function edgeOrderByEndpoints(left: Int32Array, right: Int32Array, nLeft: number, nRight: number): Int32Array {
  const m = left.length;
  const byRight = countingOrder(right, nRight, null);
  return countingOrder(left, nLeft, byRight, m);
}

function countingOrder(key: Int32Array, nKeys: number, within: Int32Array | null, m = key.length): Int32Array {
  const start = new Int32Array(nKeys + 1);
  for (let k = 0; k < m; k++) start[key[k] + 1]++;
  for (let i = 0; i < nKeys; i++) start[i + 1] += start[i];
  const out = new Int32Array(m);
  if (within === null) {
    for (let k = 0; k < m; k++) out[start[key[k]]++] = k;
  } else {
    for (let t = 0; t < m; t++) {
      const k = within[t];
      out[start[key[k]]++] = k;
    }
  }
  return out;
}

/** Throws a RangeError naming the first edge whose endpoint or score is out of range. */
export function validateEdges(g: EdgeList, nLeft: number, nRight: number): void {
  const m = g.left.length;
  if (g.right.length !== m || g.score.length !== m) {
    throw new RangeError(`edge arrays differ in length: left ${m}, right ${g.right.length}, score ${g.score.length}`);
  }
  for (let k = 0; k < m; k++) {
    const a = g.left[k];
    const b = g.right[k];
    if (a < 0 || a >= nLeft) throw new RangeError(`edge ${k}: left id ${a} outside [0, ${nLeft})`);
    if (b < 0 || b >= nRight) throw new RangeError(`edge ${k}: right id ${b} outside [0, ${nRight})`);
    if (!Number.isFinite(g.score[k])) throw new RangeError(`edge ${k}: score ${g.score[k]} is not a finite number`);
  }
}

/**
 * The canonical form of a bipartite graph: edges sorted by (left, right), one edge per pair
 * (duplicates keep their highest score). Every strategy sees this form, so the same set of
 * edges gives the same result whatever order it arrived in.
 */
export function canonicalBipartite(g: BipartiteGraph): BipartiteGraph {
  validateEdges(g, g.nLeft, g.nRight);
  const order = edgeOrderByEndpoints(g.left, g.right, g.nLeft, g.nRight);
  return { nLeft: g.nLeft, nRight: g.nRight, ...dedupeSorted(g, order) };
}

/**
 * The canonical form of an undirected graph: each edge oriented smaller id first, sorted,
 * one edge per pair (highest score kept). Self-loops are rejected: a node cannot pair with itself.
 */
export function canonicalGeneral(g: GeneralGraph): GeneralGraph {
  validateEdges(g, g.n, g.n);
  const m = g.left.length;
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const a = g.left[k];
    const b = g.right[k];
    if (a === b) throw new RangeError(`edge ${k}: self-loop on node ${a}`);
    lo[k] = a < b ? a : b;
    hi[k] = a < b ? b : a;
  }
  const order = edgeOrderByEndpoints(lo, hi, g.n, g.n);
  return { n: g.n, ...dedupeSorted({ left: lo, right: hi, score: g.score }, order) };
}

function dedupeSorted(g: EdgeList, order: Int32Array): EdgeList {
  const m = order.length;
  const keep = new Int32Array(m);
  const best = new Float64Array(m);
  let count = 0;
  for (let t = 0; t < m; t++) {
    const k = order[t];
    if (count > 0) {
      const prev = keep[count - 1];
      if (g.left[prev] === g.left[k] && g.right[prev] === g.right[k]) {
        if (g.score[k] > best[count - 1]) best[count - 1] = g.score[k];
        continue;
      }
    }
    keep[count] = k;
    best[count] = g.score[k];
    count++;
  }
  const out = pairsFromEdges(g, keep, count);
  out.score.set(best.subarray(0, count));
  return out;
}

/** A bipartite graph seen as a general one: right id j becomes node nLeft + j. */
export function bipartiteAsGeneral(g: BipartiteGraph): GeneralGraph {
  const m = g.left.length;
  const right = new Int32Array(m);
  for (let k = 0; k < m; k++) right[k] = g.right[k] + g.nLeft;
  return { n: g.nLeft + g.nRight, left: g.left, right, score: g.score };
}

/** Compressed adjacency: the edges of node v are edge[start[v] .. start[v+1]), in edge order. */
export interface Adjacency {
  start: Int32Array;
  edge: Int32Array;
}

/** Adjacency of one side: `ends` is the endpoint array of that side (left or right). */
export function adjacencyOf(ends: Int32Array, nNodes: number): Adjacency {
  const m = ends.length;
  const start = new Int32Array(nNodes + 1);
  for (let k = 0; k < m; k++) start[ends[k] + 1]++;
  for (let v = 0; v < nNodes; v++) start[v + 1] += start[v];
  const fill = start.slice(0, nNodes);
  const edge = new Int32Array(m);
  for (let k = 0; k < m; k++) edge[fill[ends[k]]++] = k;
  return { start, edge };
}
