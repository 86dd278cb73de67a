// Linear sum assignment on a dense rectangular cost matrix: the shortest augmenting path method
// of Jonker–Volgenant as laid out by Crouse (2016) and used by scipy's linear_sum_assignment.
// Each free row grows a Dijkstra tree over reduced costs until it reaches a free column, then
// the duals are updated and the path is flipped. A row-reduction warm start assigns, for free,
// most rows before the first augmenting path is searched (see warmStart).
// O(n²·m) worst case, far less in practice; no allocation inside the augmentation loop.

export interface DenseAssignment {
  /** column assigned to each row, or -1 (only when there are more rows than columns) */
  colForRow: Int32Array;
  /** row assigned to each column, or -1 (only when there are more columns than rows) */
  rowForCol: Int32Array;
  /** sum of the assigned costs */
  cost: number;
  /**
   * Dual certificate: cost[i][j] − u[i] − v[j] ≥ 0 for every cell, = 0 on assigned cells, and the
   * duals of the unassigned rows or columns (the longer side) are 0 with all of that side's duals ≤ 0.
   */
  u: Float64Array;
  v: Float64Array;
}

/**
 * Minimum-cost assignment of min(nRows, nCols) rows to columns. `cost` is row-major,
 * nRows × nCols, all finite. Deterministic: equal costs resolve the same way every run.
 */
export function solveDenseAssignment(cost: Float64Array, nRows: number, nCols: number): DenseAssignment {
  if (cost.length !== nRows * nCols) throw new RangeError(`cost has ${cost.length} cells, expected ${nRows}×${nCols}`);
  for (let k = 0; k < cost.length; k++) {
    if (!Number.isFinite(cost[k])) throw new RangeError(`cost cell ${k} (row ${Math.floor(k / nCols)}) is not finite`);
  }
  if (nRows <= nCols) return solveWide(cost, nRows, nCols);
  // Tall matrix: solve the transpose so that every row of the solved problem gets a column.
  const t = new Float64Array(cost.length);
  for (let i = 0; i < nRows; i++) for (let j = 0; j < nCols; j++) t[j * nRows + i] = cost[i * nCols + j];
  const r = solveWide(t, nCols, nRows);
  return { colForRow: r.rowForCol, rowForCol: r.colForRow, cost: r.cost, u: r.v, v: r.u };
}

function solveWide(cost: Float64Array, nr: number, nc: number): DenseAssignment {
  const u = new Float64Array(nr);
  const v = new Float64Array(nc);
  const colForRow = new Int32Array(nr).fill(-1);
  const rowForCol = new Int32Array(nc).fill(-1);

  warmStart(cost, nr, nc, v, colForRow, rowForCol);
  // Row duals implied by the warm start: every assigned row sits on a cheapest reduced column.
  for (let i = 0; i < nr; i++) if (colForRow[i] !== -1) u[i] = cost[i * nc + colForRow[i]] - v[colForRow[i]];

  const pathCost = new Float64Array(nc);
  const pathRow = new Int32Array(nc);
  const scannedRows = new Int32Array(nr);
  const scannedCols = new Int32Array(nc);
  const scannedCost = new Float64Array(nc);

  for (let cur = 0; cur < nr; cur++) {
    if (colForRow[cur] !== -1) continue;
    pathCost.fill(Infinity);
    let nScannedRows = 0;
    let nScannedCols = 0;
    let minVal = 0;
    let sink = -1;
    let i = cur;
    while (sink === -1) {
      scannedRows[nScannedRows++] = i;
      const base = i * nc;
      const shift = minVal - u[i];
      let lowest = Infinity;
      let index = -1;
      // One sequential sweep over all columns: a scanned column's pathCost is NaN, which fails
      // every comparison, so it needs no test of its own (a list of the remaining columns would
      // scatter the accesses instead).
      for (let j = 0; j < nc; j++) {
        const r = cost[base + j] - v[j] + shift;
        let pc = pathCost[j];
        if (r < pc) {
          pathRow[j] = i;
          pathCost[j] = pc = r;
        }
        // Ties go to a free column (it ends the search), then to the lowest index.
        if (pc < lowest || (pc === lowest && rowForCol[j] === -1 && rowForCol[index] !== -1)) {
          lowest = pc;
          index = j;
        }
      }
      minVal = lowest;
      const j = index;
      if (rowForCol[j] === -1) sink = j;
      else i = rowForCol[j];
      scannedCols[nScannedCols] = j;
      scannedCost[nScannedCols++] = lowest;
      pathCost[j] = NaN;
    }

    // Dual update keeps every reduced cost ≥ 0 and makes the new path tight. Scanned row s was
    // reached through scanned column s − 1; the sink's cost is minVal, so its dual does not move.
    u[cur] += minVal;
    for (let s = 1; s < nScannedRows; s++) u[scannedRows[s]] += minVal - scannedCost[s - 1];
    for (let s = 0; s < nScannedCols; s++) v[scannedCols[s]] -= minVal - scannedCost[s];

    // Flip the path.
    let j = sink;
    for (;;) {
      const r = pathRow[j];
      rowForCol[j] = r;
      const prev = colForRow[r];
      colForRow[r] = j;
      if (r === cur) break;
      j = prev;
    }
  }

  let total = 0;
  for (let i = 0; i < nr; i++) total += cost[i * nc + colForRow[i]];
  return { colForRow, rowForCol, cost: total, u, v };
}

/**
 * Jonker–Volgenant's initialisation. On a square matrix, column reduction (v[j] = column minimum,
 * each column offered to its cheapest row) and reduction transfer; then, on any shape, two rounds
 * of augmenting row reduction — an auction in which a free row takes its cheapest reduced column
 * and lowers that column's dual by the gap to its second cheapest, evicting the previous owner.
 * Duals only ever decrease, so an assigned row's column stays a cheapest one for it (the
 * invariant the augmenting phase needs), and on a wide matrix columns never assigned keep v = 0.
 */
function warmStart(cost: Float64Array, nr: number, nc: number, v: Float64Array, colForRow: Int32Array, rowForCol: Int32Array): void {
  if (nc < 2) return;
  if (nr === nc) {
    const n = nr;
    const matches = new Int32Array(n);
    // Column minima in one row-major sweep (a column-wise walk would miss the cache on every cell).
    const colMin = cost.slice(0, n);
    const argMin = new Int32Array(n);
    for (let i = 1; i < n; i++) {
      const base = i * n;
      for (let j = 0; j < n; j++) {
        const c = cost[base + j];
        if (c < colMin[j]) {
          colMin[j] = c;
          argMin[j] = i;
        }
      }
    }
    for (let j = n - 1; j >= 0; j--) {
      const best = colMin[j];
      const bestI = argMin[j];
      v[j] = best;
      if (++matches[bestI] === 1) {
        colForRow[bestI] = j;
        rowForCol[j] = bestI;
      } else if (v[j] < v[colForRow[bestI]]) {
        rowForCol[colForRow[bestI]] = -1;
        colForRow[bestI] = j;
        rowForCol[j] = bestI;
      }
    }
    // Reduction transfer: a row holding exactly one column passes its slack to that column.
    for (let i = 0; i < n; i++) {
      if (matches[i] !== 1) continue;
      const j1 = colForRow[i];
      let min = Infinity;
      const base = i * n;
      for (let j = 0; j < n; j++) if (j !== j1) {
        const h = cost[base + j] - v[j];
        if (h < min) min = h;
      }
      v[j1] -= min;
    }
  }

  const free = new Int32Array(nr);
  let nFree = 0;
  for (let i = 0; i < nr; i++) if (colForRow[i] === -1) free[nFree++] = i;
  for (let round = 0; round < AUGMENTING_ROW_REDUCTION_ROUNDS && nFree > 0; round++) {
    // Bound the auction: with float costs the dual steps can get tiny. Leftover rows go to
    // the augmenting phase, which is exact, so stopping early costs time only.
    let budget = ROW_REDUCTION_SCANS_PER_ROW * nr;
    let k = 0;
    const pending = nFree;
    nFree = 0;
    while (k < pending && budget-- > 0) {
      const i = free[k++];
      const base = i * nc;
      let umin = Infinity;
      let usub = Infinity;
      let j1 = -1;
      let j2 = -1;
      for (let j = 0; j < nc; j++) {
        const h = cost[base + j] - v[j];
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
      if (strict) v[j1] -= usub - umin;
      else if (i0 !== -1) {
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
    // Rows not reached because the budget ran out stay free.
    while (k < pending) free[nFree++] = free[k++];
  }
}

/** Jonker–Volgenant run augmenting row reduction twice; later rounds rarely pay for themselves. */
const AUGMENTING_ROW_REDUCTION_ROUNDS = 2;
/** Scans allowed per round, per row, before the auction hands over to shortest paths. */
const ROW_REDUCTION_SCANS_PER_ROW = 8;
