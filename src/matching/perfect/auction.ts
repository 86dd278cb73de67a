// Bertsekas' auction algorithm with ε-scaling, for maximum-weight matching on large sparse
// bipartite graphs.
//
// Persons are the left nodes with a positive edge; objects are the right nodes plus one private
// object per person (benefit 0: "stay unmatched"), so every person can always be served and
// missing edges are never forced. This is an asymmetric assignment problem (more objects than
// persons): besides ε-complementary slackness, optimality needs every object nobody holds to be
// priced no higher than the cheapest held one (see the clean-up after the last phase).
//
// Guarantee: scores are rounded to integers on a grid of max score / 2^bits and multiplied by
// (m + 1), m the number of persons; the last phase runs with ε = 1, so the total is within m·ε
// < m + 1 of the optimum, i.e. an exact optimum for the rounded scores (Bertsekas 1988), and
// within m · max score / 2^(bits+1) of the optimum for the scores themselves. Edges with a
// score ≤ 0 are never chosen.
import type { BipartiteGraph } from './graph.ts';

export interface AuctionOptions {
  /** Resolution of the integer rounding of scores: the grid is max|score| / 2^bits. */
  bits?: number;
  /** ε shrinks by this factor between phases. */
  epsilonFactor?: number;
}

export interface AuctionResult {
  /** right id matched to each left id, or -1 */
  rightForLeft: Int32Array;
  /**
   * Column duals for the sparse assignment solver's formulation (cost = −score; column j < nRight
   * is right node j, column nRight + i is left node i's private column): v = min(0, λ − price)
   * in score units. Dual-feasible up to the rounding of scores, v ≤ 0, and 0 on unheld columns.
   */
  columnDuals: Float64Array;
  /** number of bids placed, over all phases */
  bids: number;
}

/** Largest safe rounding resolution: benefits × (N + 1) must stay exact in a double (2^53). */
const MAX_BITS = 30;
const DOUBLE_EXACT_BITS = 52;
/** Bertsekas suggests dividing ε by 4–10 per phase; fewer phases win on sparse random graphs. */
const DEFAULT_EPSILON_FACTOR = 8;

export function auctionAssignment(g: BipartiteGraph, opts: AuctionOptions = {}): AuctionResult {
  const { nLeft, nRight } = g;
  const m = g.left.length;
  const rightForLeft = new Int32Array(nLeft).fill(-1);

  // Only nodes with a positive edge take part; the others are unmatched whatever happens.
  let maxScore = 0;
  const leftDeg = new Int32Array(nLeft + 1);
  for (let k = 0; k < m; k++) {
    const w = g.score[k];
    if (!(w > 0)) continue;
    if (w > maxScore) maxScore = w;
    leftDeg[g.left[k] + 1]++;
  }
  if (maxScore === 0) return { rightForLeft, columnDuals: new Float64Array(nRight + nLeft), bids: 0 };

  // Persons: the left nodes with a positive edge, compacted.
  const leftOf = new Int32Array(nLeft);
  let nl = 0;
  for (let i = 0; i < nLeft; i++) if (leftDeg[i + 1] > 0) leftOf[nl++] = i;
  const person = new Int32Array(nLeft).fill(-1);
  for (let a = 0; a < nl; a++) person[leftOf[a]] = a;

  const nObjects = nRight + nl; // object nRight + a is person a's private object
  const bits = Math.min(opts.bits ?? MAX_BITS, MAX_BITS, DOUBLE_EXACT_BITS - Math.ceil(Math.log2(nl + 1)));
  if (bits < 1) throw new RangeError(`auction: ${nl} persons leave no room for the integer rounding of scores`);
  const grid = maxScore / 2 ** bits;
  const scale = nl + 1;

  // Each person's objects: its private object first, then its right neighbours.
  const start = new Int32Array(nl + 1);
  for (let a = 0; a < nl; a++) start[a + 1] = start[a] + 1 + leftDeg[leftOf[a] + 1];
  const obj = new Int32Array(start[nl]);
  const benefit = new Float64Array(start[nl]);
  const fill = start.slice(0, nl);
  for (let a = 0; a < nl; a++) obj[fill[a]++] = nRight + a;
  for (let k = 0; k < m; k++) {
    if (!(g.score[k] > 0)) continue;
    const e = fill[person[g.left[k]]]++;
    obj[e] = g.right[k];
    benefit[e] = Math.round(g.score[k] / grid) * scale;
  }

  const price = new Float64Array(nObjects);
  const owner = new Int32Array(nObjects).fill(-1);
  const holds = new Int32Array(nl).fill(-1);
  const queue = new Int32Array(nl);
  const factor = opts.epsilonFactor ?? DEFAULT_EPSILON_FACTOR;
  const maxBenefit = 2 ** bits * scale;
  let bids = 0;

  /** Frees every person whose held object violates ε-complementary slackness; returns how many. */
  const freeViolators = (eps: number): number => {
    let freed = 0;
    for (let p = 0; p < nl; p++) {
      const o = holds[p];
      if (o === -1) continue;
      let best = -Infinity;
      let mine = -Infinity;
      for (let e = start[p]; e < start[p + 1]; e++) {
        const val = benefit[e] - price[obj[e]];
        if (val > best) best = val;
        if (obj[e] === o && val > mine) mine = val;
      }
      if (mine >= best - eps) continue;
      holds[p] = -1;
      owner[o] = -1;
      freed++;
    }
    return freed;
  };

  /** Gauss–Seidel forward auction: free persons bid, one at a time, until all hold an object. */
  const forwardAuction = (eps: number): void => {
    let head = 0;
    let queued = 0;
    for (let p = 0; p < nl; p++) if (holds[p] === -1) queue[queued++] = p;
    let tail = queued === nl ? 0 : queued;
    while (queued > 0) {
      const p = queue[head];
      head = head + 1 === nl ? 0 : head + 1;
      queued--;
      let best = -Infinity;
      let second = -Infinity;
      let bestObj = -1;
      for (let e = start[p]; e < start[p + 1]; e++) {
        const val = benefit[e] - price[obj[e]];
        if (val > best) {
          second = best;
          best = val;
          bestObj = obj[e];
        } else if (val > second) second = val;
      }
      // Every person has its private object and at least one edge, so second is finite.
      price[bestObj] += best - second + eps;
      bids++;
      const prev = owner[bestObj];
      owner[bestObj] = p;
      holds[p] = bestObj;
      if (prev !== -1) {
        holds[prev] = -1;
        queue[tail] = prev;
        tail = tail + 1 === nl ? 0 : tail + 1;
        queued++;
      }
    }
  };

  // Persons by object: the reverse adjacency.
  const rstart = new Int32Array(nObjects + 1);
  for (let e = 0; e < obj.length; e++) rstart[obj[e] + 1]++;
  for (let o = 0; o < nObjects; o++) rstart[o + 1] += rstart[o];
  const redge = new Int32Array(obj.length);
  const rperson = new Int32Array(obj.length);
  const rfill = rstart.slice(0, nObjects);
  for (let p = 0; p < nl; p++) {
    for (let e = start[p]; e < start[p + 1]; e++) {
      const at = rfill[obj[e]]++;
      redge[at] = e;
      rperson[at] = p;
    }
  }

  /**
   * Optimality of an asymmetric assignment also needs every unheld object priced no higher than
   * λ, the cheapest held object. Objects freed between phases can still carry a higher price:
   * each such object bids for persons in a reverse auction (Bertsekas & Castañon 1992) — it
   * lowers its price to max(λ, second best − ε) to take the person that values it most, or
   * settles at λ when nobody would take it. Profits π are explicit here. Run at the end of every
   * phase (Bertsekas & Castañon interleave the two), so that the last, finest phase inherits few
   * such objects — a reverse clean-up left to ε = 1 alone turns into a long price war.
   */
  const reverseAuction = (eps: number): void => {
    let lambda = Infinity;
    for (let o = 0; o < nObjects; o++) if (owner[o] !== -1 && price[o] < lambda) lambda = price[o];
    // Each person's profit from what it holds (the best edge, should a pair be listed twice).
    const profit = new Float64Array(nl).fill(-Infinity);
    for (let p = 0; p < nl; p++) {
      for (let e = start[p]; e < start[p + 1]; e++) {
        if (obj[e] === holds[p]) profit[p] = Math.max(profit[p], benefit[e] - price[obj[e]]);
      }
    }
    const stack: number[] = [];
    for (let o = nObjects - 1; o >= 0; o--) if (owner[o] === -1 && price[o] > lambda) stack.push(o);
    while (stack.length > 0) {
      const o = stack.pop()!;
      let best = -Infinity;
      let second = -Infinity;
      let bestAt = -1;
      for (let t = rstart[o]; t < rstart[o + 1]; t++) {
        const val = benefit[redge[t]] - profit[rperson[t]];
        if (val > best) {
          second = best;
          best = val;
          bestAt = t;
        } else if (val > second) second = val;
      }
      if (bestAt === -1 || lambda >= best - eps) {
        price[o] = lambda;
        continue;
      }
      const newPrice = Math.max(lambda, second - eps);
      const p = rperson[bestAt];
      const prev = holds[p];
      owner[prev] = -1;
      price[o] = newPrice;
      owner[o] = p;
      holds[p] = o;
      profit[p] = benefit[redge[bestAt]] - newPrice;
      bids++;
      if (price[prev] > lambda) stack.push(prev);
    }
  };

  let eps = Math.max(1, Math.floor(maxBenefit / factor));
  for (;;) {
    freeViolators(eps);
    forwardAuction(eps);
    reverseAuction(eps);
    if (eps === 1) break;
    eps = Math.max(1, Math.floor(eps / factor));
  }
  for (let a = 0; a < nl; a++) if (holds[a] < nRight) rightForLeft[leftOf[a]] = holds[a];
  let lambda = Infinity;
  for (let o = 0; o < nObjects; o++) if (owner[o] !== -1 && price[o] < lambda) lambda = price[o];
  const unit = grid / scale;
  const columnDuals = new Float64Array(nRight + nLeft);
  for (let o = 0; o < nObjects; o++) {
    const col = o < nRight ? o : nRight + leftOf[o - nRight];
    columnDuals[col] = Math.min(0, (lambda - price[o]) * unit);
  }
  return { rightForLeft, columnDuals, bids };
}
