// The global rank of an edge for streaming (out-of-core) strategies: score descending, then
// (lo, hi) ascending — the same order edgesByScoreDesc gives on a canonical graph, where edge
// index order is (left, right) order.

/** Negative when edge (sa, la, ha) ranks before (sb, lb, hb). */
export function compareRank(sa: number, la: number, ha: number, sb: number, lb: number, hb: number): number {
  return sb - sa || la - lb || ha - hb;
}

/** Edge indices of parallel arrays in rank order (lo/hi must already be canonical). */
export function rankOrder(lo: Int32Array, hi: Int32Array, score: Float64Array): Int32Array {
  const order = new Int32Array(score.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  return order.sort((a, b) => score[b] - score[a] || lo[a] - lo[b] || hi[a] - hi[b]);
}
