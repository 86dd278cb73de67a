// Maximum-weight bipartite matching on a sparse graph by successive shortest augmenting paths
// (Dijkstra over reduced costs, Jonker–Volgenant style), where most pairs have no edge.
//
// Formulation: minimise Σ cost with cost = −score over the edges with a positive score, every
// left node (row) assigned, and each row owning a private "unmatched" column of cost 0. A row
// that ends on its private column is unmatched, so missing edges are never forced and the
// minimum cost is minus the maximum weight. Each search only touches the part of the graph it
// reaches and cleans up after itself, so a search costs what it explores, not O(n).
import type { BipartiteGraph } from './graph.ts';

export interface SparseAssignment {
  /** right id matched to each left id, or -1 */
  rightForLeft: Int32Array;
  /** total score of the matching */
  weight: number;
  /**
   * Dual certificate of the row-perfect formulation. Column j < nRight is right node j; column
   * nRight + i is left node i's private column. For every positive edge −score − u[i] − v[j] ≥ 0,
   * for every private column −u[i] − v[nRight + i] ≥ 0, equality on the chosen columns, v ≤ 0,
   * and v = 0 on columns nobody chose.
   */
  u: Float64Array;
  v: Float64Array;
}

/**
 * Solves g. `warmDuals` (optional) are starting column duals, e.g. from the auction on rounded
 * scores: they must be ≤ 0 and are used only as a starting point — the search is the same exact
 * algorithm, and the result is checked against the optimality conditions, falling back to a cold
 * start should a warm start leave a column unchosen with a dual that cannot be brought to 0.
 */
export function solveSparseAssignment(g: BipartiteGraph, warmDuals?: Float64Array): SparseAssignment {
  const { nLeft: nr, nRight } = g;
  const nc = nRight + nr;
  const rows = positiveRows(g);
  const { start, col, cost } = rows;

  const u = new Float64Array(nr);
  const v = warmDuals ? Float64Array.from(warmDuals, (x) => Math.min(0, x)) : new Float64Array(nc);
  if (v.length !== nc) throw new RangeError(`warm duals: ${v.length} given for ${nc} columns`);
  const colForRow = new Int32Array(nr).fill(-1);
  const rowForCol = new Int32Array(nc).fill(-1);

  augmentingRowReduction(rows, nr, nRight, v, colForRow, rowForCol);
  for (let i = 0; i < nr; i++) {
    const j = colForRow[i];
    if (j !== -1) u[i] = (j >= nRight ? 0 : edgeCost(rows, i, j)) - v[j];
  }

  // Search state, reset after each search for the entries it touched only. A column's distance
  // and dual live side by side (state[2j], state[2j + 1]): the scan of a row reads both for
  // columns scattered over the whole graph, and one cache line then serves both. A scanned
  // column's distance is −∞, which fails the relaxation test without a flag of its own.
  const state = new Float64Array(2 * nc);
  for (let j = 0; j < nc; j++) {
    state[2 * j] = Infinity;
    state[2 * j + 1] = v[j];
  }
  const pathRow = new Int32Array(nc);
  const touched = new Int32Array(nc);
  const scannedRows = new Int32Array(nr);
  const scannedCols = new Int32Array(nc);
  const scannedCost = new Float64Array(nc);
  const heap = new ColumnHeap(nc, state);

  for (let cur = 0; cur < nr; cur++) {
    if (colForRow[cur] !== -1) continue;
    let nTouched = 0;
    let nScannedRows = 0;
    let nScannedCols = 0;
    let minVal = 0;
    let sink = -1;
    let i = cur;
    for (;;) {
      scannedRows[nScannedRows++] = i;
      const shift = minVal - u[i];
      const end = start[i + 1];
      for (let e = start[i]; e < end; e++) {
        const j2 = col[e] << 1;
        const r = cost[e] - state[j2 + 1] + shift;
        const d = state[j2];
        if (r < d) {
          if (d === Infinity) touched[nTouched++] = j2 >> 1;
          state[j2] = r;
          pathRow[j2 >> 1] = i;
          heap.pushOrDecrease(j2 >> 1);
        }
      }
      {
        // The row's private column (cost 0).
        const j2 = (nRight + i) << 1;
        const r = shift - state[j2 + 1];
        const d = state[j2];
        if (r < d) {
          if (d === Infinity) touched[nTouched++] = j2 >> 1;
          state[j2] = r;
          pathRow[j2 >> 1] = i;
          heap.pushOrDecrease(j2 >> 1);
        }
      }
      const j = heap.pop();
      minVal = state[2 * j];
      state[2 * j] = -Infinity;
      scannedCols[nScannedCols] = j;
      scannedCost[nScannedCols++] = minVal;
      if (rowForCol[j] === -1) {
        sink = j;
        break;
      }
      i = rowForCol[j];
    }

    // Duals: as in the dense solver; columns reached but not scanned keep theirs.
    u[cur] += minVal;
    for (let s = 1; s < nScannedRows; s++) u[scannedRows[s]] += minVal - scannedCost[s - 1];
    for (let s = 0; s < nScannedCols; s++) state[2 * scannedCols[s] + 1] -= minVal - scannedCost[s];

    let j = sink;
    for (;;) {
      const r = pathRow[j];
      rowForCol[j] = r;
      const prev = colForRow[r];
      colForRow[r] = j;
      if (r === cur) break;
      j = prev;
    }

    for (let t = 0; t < nTouched; t++) state[2 * touched[t]] = Infinity;
    heap.clear();
  }
  for (let j = 0; j < nc; j++) v[j] = state[2 * j + 1];

  if (warmDuals && !settleUnchosenColumns(rows, nRight, u, v, rowForCol)) return solveSparseAssignment(g);
  const rightForLeft = new Int32Array(nr).fill(-1);
  let weight = 0;
  for (let i = 0; i < nr; i++) {
    const j = colForRow[i];
    if (j < nRight) {
      rightForLeft[i] = j;
      weight -= edgeCost(rows, i, j);
    }
  }
  return { rightForLeft, weight, u, v };
}

/**
 * After a warm start, columns nobody chose must end with dual 0. Raising a negative one to 0
 * only lowers reduced costs of that column, so it is allowed when they all stay ≥ 0 (within a
 * rounding-level tolerance); returns false when some would not (the caller then starts cold).
 */
function settleUnchosenColumns(rows: RowEdges, nRight: number, u: Float64Array, v: Float64Array, rowForCol: Int32Array): boolean {
  let raised = false;
  for (let j = 0; j < v.length; j++) {
    if (rowForCol[j] === -1 && v[j] !== 0) {
      v[j] = 0;
      raised = true;
    }
  }
  if (!raised) return true;
  let maxCost = 0;
  for (let e = 0; e < rows.cost.length; e++) maxCost = Math.max(maxCost, -rows.cost[e]);
  const tolerance = -WARM_START_TOLERANCE * maxCost;
  const nr = u.length;
  for (let i = 0; i < nr; i++) {
    if (-u[i] - v[nRight + i] < tolerance) return false;
    for (let e = rows.start[i]; e < rows.start[i + 1]; e++) if (rows.cost[e] - u[i] - v[rows.col[e]] < tolerance) return false;
  }
  return true;
}

/** Reduced costs within this fraction of the largest score count as ≥ 0 (floating-point noise). */
const WARM_START_TOLERANCE = 1e-12;

interface RowEdges {
  start: Int32Array;
  col: Int32Array;
  cost: Float64Array;
}

/** Rows in compressed form over the edges with a positive score; duplicate pairs keep the cheapest. */
function positiveRows(g: BipartiteGraph): RowEdges {
  const m = g.left.length;
  const start = new Int32Array(g.nLeft + 1);
  for (let k = 0; k < m; k++) if (g.score[k] > 0) start[g.left[k] + 1]++;
  for (let i = 0; i < g.nLeft; i++) start[i + 1] += start[i];
  const fill = start.slice(0, g.nLeft);
  const col = new Int32Array(start[g.nLeft]);
  const cost = new Float64Array(start[g.nLeft]);
  for (let k = 0; k < m; k++) {
    if (!(g.score[k] > 0)) continue;
    const p = fill[g.left[k]]++;
    col[p] = g.right[k];
    cost[p] = -g.score[k];
  }
  return { start, col, cost };
}

function edgeCost(rows: RowEdges, i: number, j: number): number {
  let best = Infinity;
  for (let e = rows.start[i]; e < rows.start[i + 1]; e++) if (rows.col[e] === j && rows.cost[e] < best) best = rows.cost[e];
  return best;
}

/**
 * The warm start of the dense solver on the sparse rows: an auction in which a free row takes
 * its cheapest reduced column and lowers that column's dual by the gap to the second cheapest,
 * evicting the previous owner. Duals only decrease, so every assigned row keeps a cheapest
 * column, and a column once taken stays taken (so v = 0 wherever nobody chose).
 */
function augmentingRowReduction(rows: RowEdges, nr: number, nRight: number, v: Float64Array, colForRow: Int32Array, rowForCol: Int32Array): void {
  const { start, col, cost } = rows;
  const free = new Int32Array(nr);
  let nFree = nr;
  for (let i = 0; i < nr; i++) free[i] = i;
  for (let round = 0; round < ROW_REDUCTION_ROUNDS && nFree > 0; round++) {
    let budget = ROW_REDUCTION_SCANS_PER_ROW * nr;
    let k = 0;
    const pending = nFree;
    nFree = 0;
    while (k < pending && budget-- > 0) {
      const i = free[k++];
      // The private column (cost 0) is always an option, so the row has at least one.
      let j1 = nRight + i;
      let umin = -v[j1];
      let usub = Infinity;
      let j2 = -1;
      for (let e = start[i], end = start[i + 1]; e < end; e++) {
        const j = col[e];
        const h = cost[e] - v[j];
        if (h < usub) {
          if (h >= umin) {
            usub = h;
            j2 = j;
          } else {
            usub = umin;
            j2 = j1;
            umin = h;
            j1 = j;
          }
        }
      }
      let i0 = rowForCol[j1];
      const strict = umin < usub;
      if (strict) {
        // A row with its private column as only option has usub = ∞: it simply takes it.
        if (usub !== Infinity) v[j1] -= usub - umin;
      } else if (i0 !== -1) {
        j1 = j2;
        i0 = rowForCol[j2];
      }
      colForRow[i] = j1;
      rowForCol[j1] = i;
      if (i0 !== -1) {
        colForRow[i0] = -1;
        if (strict) free[--k] = i0;
        else free[nFree++] = i0;
      }
    }
    while (k < pending) free[nFree++] = free[k++];
  }
}

/**
 * Rounds of augmenting row reduction and the scans each may spend per row before the exact
 * shortest-path phase takes over. Jonker–Volgenant run two unbounded rounds; on sparse graphs a
 * scan is cheap (a row's few edges) while a late shortest-path search can cover the whole graph,
 * so more reduction pays: on 50,000 × 50,000 with 20 edges a row, 8 × 24 leaves ~50 rows of
 * 50,000 to the searches and halves the total time against 2 × 8 (the plateau spans 6–12 × 16–32).
 */
const ROW_REDUCTION_ROUNDS = 8;
const ROW_REDUCTION_SCANS_PER_ROW = 24;

/**
 * Binary min-heap of column ids keyed by dist[] (ties by lower id, so the search is the same on
 * every run), with decrease-key through a position index.
 */
class ColumnHeap {
  private readonly items: Int32Array;
  private readonly pos: Int32Array;
  private size = 0;

  /** `key[2c]` is the key of column c. */
  constructor(capacity: number, private readonly key: Float64Array) {
    this.items = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  pushOrDecrease(c: number): void {
    let p = this.pos[c];
    if (p === -1) {
      p = this.size++;
      this.items[p] = c;
      this.pos[c] = p;
    }
    this.siftUp(p);
  }

  /** Removes and returns the column with the least key. The heap must not be empty. */
  pop(): number {
    const top = this.items[0];
    this.pos[top] = -1;
    const last = this.items[--this.size];
    if (this.size > 0) {
      this.items[0] = last;
      this.pos[last] = 0;
      this.siftDown(0);
    }
    return top;
  }

  clear(): void {
    for (let p = 0; p < this.size; p++) this.pos[this.items[p]] = -1;
    this.size = 0;
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[2 * a];
    const kb = this.key[2 * b];
    return ka < kb || (ka === kb && a < b);
  }

  private siftUp(p: number): void {
    const { items, pos } = this;
    const c = items[p];
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const pc = items[parent];
      if (!this.less(c, pc)) break;
      items[p] = pc;
      pos[pc] = p;
      p = parent;
    }
    items[p] = c;
    pos[c] = p;
  }

  private siftDown(p: number): void {
    const { items, pos } = this;
    const n = this.size;
    const c = items[p];
    for (;;) {
      let child = 2 * p + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(items[child + 1], items[child])) child++;
      const cc = items[child];
      if (!this.less(cc, c)) break;
      items[p] = cc;
      pos[cc] = p;
      p = child;
    }
    items[p] = c;
    pos[c] = p;
  }
}
