// The one ranking rule shared by every strategy that ranks edges: higher score first, ties by
// lower edge index. On a canonical graph (edges sorted by left, then right) edge index order is
// (left, right) order, so ties break towards lower ids, the same way on every run.

/** Edge indices 0..m-1 ordered by score descending, ties by index ascending. */
export function edgesByScoreDesc(score: Float64Array): Int32Array {
  const m = score.length;
  const order = new Int32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  return order.sort((a, b) => score[b] - score[a] || a - b);
}
