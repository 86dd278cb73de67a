// Optimal assignment on a bipartite graph: the maximum-weight matching, with unmatched nodes
// allowed (a missing edge is never forced). Chooses between the dense Jonker–Volgenant solver
// (a full cost matrix: fastest when most pairs have an edge) and the sparse shortest-path solver
// (cost proportional to the edges: the only option when the matrix would not fit).
import { type BipartiteGraph, type Pairs, emptyPairs } from './graph.ts';
import { solveDenseAssignment } from './denseAssignment.ts';
import { solveSparseAssignment } from './sparseAssignment.ts';
import { auctionAssignment } from './auction.ts';

/** Rounding of the warm-start auction: coarse is cheap, and the exact solver does the rest. */
const WARM_START_BITS = 12;
/** Smaller side / larger side (nodes with a positive edge) from which the warm start pays. */
const WARM_START_MIN_BALANCE = 0.5;

export type AssignmentMethod = 'auto' | 'dense' | 'sparse';

export interface AssignmentOptions {
  method?: AssignmentMethod;
  /** the dense solver is used only when (left nodes with an edge) × (right nodes with an edge) ≤ this */
  denseMaxCells: number;
  /** … and when at least this fraction of those cells has a positive edge */
  denseMinDensity: number;
}

interface Participants {
  rows: Int32Array; // left ids with a positive edge
  cols: Int32Array; // right ids with a positive edge
  positiveEdges: number;
}

function participants(g: BipartiteGraph): Participants {
  const hasL = new Uint8Array(g.nLeft);
  const hasR = new Uint8Array(g.nRight);
  let positiveEdges = 0;
  for (let k = 0; k < g.left.length; k++) {
    if (!(g.score[k] > 0)) continue;
    positiveEdges++;
    hasL[g.left[k]] = 1;
    hasR[g.right[k]] = 1;
  }
  const pick = (has: Uint8Array): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < has.length; i++) if (has[i]) out.push(i);
    return Int32Array.from(out);
  };
  return { rows: pick(hasL), cols: pick(hasR), positiveEdges };
}

/** Which solver `auto` picks for g. */
export function chooseAssignmentMethod(g: BipartiteGraph, opts: AssignmentOptions): 'dense' | 'sparse' {
  if (opts.method === 'dense' || opts.method === 'sparse') return opts.method;
  const p = participants(g);
  const cells = p.rows.length * p.cols.length;
  return cells > 0 && cells <= opts.denseMaxCells && p.positiveEdges >= opts.denseMinDensity * cells ? 'dense' : 'sparse';
}

export function maxWeightAssignment(g: BipartiteGraph, opts: AssignmentOptions): Pairs {
  const method = chooseAssignmentMethod(g, opts);
  return method === 'dense' ? denseMaxWeight(g) : sparseMaxWeight(g);
}

/**
 * The sparse route. When the two sides are of similar size, nearly every node ends up matched and
 * the last rows' augmenting paths cross the whole graph; there it starts from the duals of a
 * coarse auction (scores rounded to 2^-12 of the largest), whose near-equilibrium prices leave
 * the exact solver almost nothing to search (50k × 50k, 20 edges a row: ~2 s instead of ~5).
 * With one side much larger, most of it stays unmatched, searches end early, and a cold start
 * is faster (50k × 5k, 1M edges: 0.8 s cold, 3 s with the auction).
 */
function sparseMaxWeight(g: BipartiteGraph): Pairs {
  const { rows, cols } = participants(g);
  const balance = Math.min(rows.length, cols.length) / Math.max(1, rows.length, cols.length);
  const warm = balance >= WARM_START_MIN_BALANCE ? auctionAssignment(g, { bits: WARM_START_BITS }).columnDuals : undefined;
  const r = solveSparseAssignment(g, warm);
  return pairsFromMates(g, r.rightForLeft);
}

/**
 * The dense route: a matrix over the participating nodes with cost −score on positive edges and
 * 0 elsewhere. Completing a matching with zero-cost cells changes nothing, so the minimum-cost
 * assignment of the matrix, minus its zero cells, is a maximum-weight matching.
 */
function denseMaxWeight(g: BipartiteGraph): Pairs {
  const { rows, cols } = participants(g);
  if (rows.length === 0) return emptyPairs();
  const rowOf = new Int32Array(g.nLeft).fill(-1);
  const colOf = new Int32Array(g.nRight).fill(-1);
  rows.forEach((i, a) => (rowOf[i] = a));
  cols.forEach((j, b) => (colOf[j] = b));
  const nc = cols.length;
  const cost = new Float64Array(rows.length * nc);
  for (let k = 0; k < g.left.length; k++) {
    if (!(g.score[k] > 0)) continue;
    const cell = rowOf[g.left[k]] * nc + colOf[g.right[k]];
    if (-g.score[k] < cost[cell]) cost[cell] = -g.score[k];
  }
  const r = solveDenseAssignment(cost, rows.length, nc);
  const rightForLeft = new Int32Array(g.nLeft).fill(-1);
  for (let a = 0; a < rows.length; a++) {
    const b = r.colForRow[a];
    if (b !== -1 && cost[a * nc + b] < 0) rightForLeft[rows[a]] = cols[b];
  }
  return pairsFromMates(g, rightForLeft);
}

/** Pairs for a left → right map, each with the best score among the edges of that pair. */
export function pairsFromMates(g: BipartiteGraph, rightForLeft: Int32Array): Pairs {
  const bestEdge = new Int32Array(g.nLeft).fill(-1);
  for (let k = 0; k < g.left.length; k++) {
    const i = g.left[k];
    if (rightForLeft[i] === g.right[k] && (bestEdge[i] === -1 || g.score[k] > g.score[bestEdge[i]])) bestEdge[i] = k;
  }
  let count = 0;
  for (let i = 0; i < g.nLeft; i++) if (bestEdge[i] !== -1) count++;
  const out = { left: new Int32Array(count), right: new Int32Array(count), score: new Float64Array(count) };
  for (let i = 0, c = 0; i < g.nLeft; i++) {
    const k = bestEdge[i];
    if (k === -1) continue;
    out.left[c] = i;
    out.right[c] = g.right[k];
    out.score[c++] = g.score[k];
  }
  return out; // one pair per left id, in left order: already sorted
}
