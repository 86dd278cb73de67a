// Stable matching by deferred acceptance (Gale–Shapley), with capacities on both sides
// (hospitals/residents when left capacities are 1; many-to-many otherwise). Left nodes propose.
//
// Preferences come from scores: each node ranks its edges by score, highest first, ties broken
// towards the lower id on the other side, so the ranking is a strict order and the result is the
// same on every run. An edge whose score is ≤ 0 is unacceptable (that node would rather keep
// the slot empty). The result is pairwise stable — no edge (i, j) outside it where both i and j
// have a free slot or prefer each other to one of their partners — and, for one-to-one and
// hospitals/residents, the best stable matching for every proposer.
import { type BipartiteGraph, type Pairs, adjacencyOf, pairsFromEdges } from './graph.ts';

export interface StableOptions {
  /** slots per left node (one number for all, or one per node); default 1 */
  leftCapacity?: number | Int32Array;
  /** slots per right node; default 1 */
  rightCapacity?: number | Int32Array;
  /** how right nodes rank their edges, when it differs from how left nodes do (default: score) */
  rightScore?: Float64Array;
}

export function stableMatching(g: BipartiteGraph, opts: StableOptions = {}): Pairs {
  const { nLeft, nRight } = g;
  const m = g.left.length;
  const leftScore = g.score;
  const rightScore = opts.rightScore ?? g.score;
  if (rightScore.length !== m) throw new RangeError(`rightScore has ${rightScore.length} entries for ${m} edges`);
  const leftCap = capacities(opts.leftCapacity, nLeft, 'left');
  const rightCap = capacities(opts.rightCapacity, nRight, 'right');

  const acceptable = new Uint8Array(m);
  for (let e = 0; e < m; e++) acceptable[e] = leftScore[e] > 0 && rightScore[e] > 0 ? 1 : 0;

  // Each left node's proposal order.
  const byLeft = adjacencyOf(g.left, nLeft);
  for (let i = 0; i < nLeft; i++) {
    byLeft.edge.subarray(byLeft.start[i], byLeft.start[i + 1]).sort((a, b) => leftScore[b] - leftScore[a] || g.right[a] - g.right[b] || a - b);
  }
  // Each edge's rank in its right node's order (0 = most preferred).
  const byRight = adjacencyOf(g.right, nRight);
  const rank = new Int32Array(m);
  for (let j = 0; j < nRight; j++) {
    const list = byRight.edge.subarray(byRight.start[j], byRight.start[j + 1]);
    list.sort((a, b) => rightScore[b] - rightScore[a] || g.left[a] - g.left[b] || a - b);
    for (let r = 0; r < list.length; r++) rank[list[r]] = r;
  }

  // Each right node holds its accepted edges in a max-heap on rank (the worst on top), stored in
  // a slice of one pool sized min(capacity, degree).
  const heapStart = new Int32Array(nRight + 1);
  for (let j = 0; j < nRight; j++) heapStart[j + 1] = heapStart[j] + Math.min(rightCap[j], byRight.start[j + 1] - byRight.start[j]);
  const pool = new Int32Array(heapStart[nRight]);
  const heapSize = new Int32Array(nRight);
  const held = new Uint8Array(m);
  const slotsUsed = new Int32Array(nLeft);
  const next = byLeft.start.slice(0, nLeft);

  const queue = new Int32Array(nLeft);
  const queued = new Uint8Array(nLeft);
  let head = 0;
  let size = 0;
  const enqueue = (i: number): void => {
    if (queued[i]) return;
    queued[i] = 1;
    queue[(head + size) % nLeft] = i;
    size++;
  };
  for (let i = 0; i < nLeft; i++) enqueue(i);

  while (size > 0) {
    const i = queue[head];
    head = (head + 1) % nLeft;
    size--;
    queued[i] = 0;
    const end = byLeft.start[i + 1];
    while (slotsUsed[i] < leftCap[i] && next[i] < end) {
      const e = byLeft.edge[next[i]++];
      if (!acceptable[e]) continue;
      const j = g.right[e];
      const base = heapStart[j];
      const cap = heapStart[j + 1] - base;
      if (cap === 0) continue;
      if (heapSize[j] < cap) {
        heapPush(pool, base, heapSize[j]++, e, rank);
      } else {
        const worst = pool[base];
        if (rank[e] >= rank[worst]) continue; // rejected
        held[worst] = 0;
        const loser = g.left[worst];
        slotsUsed[loser]--;
        enqueue(loser);
        pool[base] = e;
        heapSiftDown(pool, base, heapSize[j], 0, rank);
      }
      held[e] = 1;
      slotsUsed[i]++;
    }
  }

  let count = 0;
  for (let e = 0; e < m; e++) count += held[e];
  const chosen = new Int32Array(count);
  for (let e = 0, c = 0; e < m; e++) if (held[e]) chosen[c++] = e;
  return pairsFromEdges(g, chosen);
}

function capacities(c: number | Int32Array | undefined, n: number, side: string): Int32Array {
  if (c === undefined) return new Int32Array(n).fill(1);
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`${side} capacity must be a whole number ≥ 0 (got ${c})`);
    return new Int32Array(n).fill(c);
  }
  if (c.length !== n) throw new RangeError(`${side} capacities: ${c.length} given for ${n} nodes`);
  for (let i = 0; i < n; i++) if (c[i] < 0) throw new RangeError(`${side} capacity of node ${i} is negative`);
  return c;
}

/** Max-heap on rank within pool[base .. base + size). */
function heapPush(pool: Int32Array, base: number, at: number, e: number, rank: Int32Array): void {
  let p = at;
  while (p > 0) {
    const parent = (p - 1) >> 1;
    const pe = pool[base + parent];
    if (rank[pe] >= rank[e]) break;
    pool[base + p] = pe;
    p = parent;
  }
  pool[base + p] = e;
}

function heapSiftDown(pool: Int32Array, base: number, size: number, at: number, rank: Int32Array): void {
  const e = pool[base + at];
  let p = at;
  for (;;) {
    let c = 2 * p + 1;
    if (c >= size) break;
    if (c + 1 < size && rank[pool[base + c + 1]] > rank[pool[base + c]]) c++;
    const ce = pool[base + c];
    if (rank[ce] <= rank[e]) break;
    pool[base + p] = ce;
    p = c;
  }
  pool[base + p] = e;
}
