// Shrinks a graph that does not fit in memory to the union of every node's best `cap` edges:
// edges arrive in rank order and one is kept while either endpoint has kept fewer than `cap`.
// In rank order, an edge is among node v's top `cap` exactly when v has fewer than `cap`
// earlier edges, so the kept set is that union (at most n·cap edges, since every kept edge
// uses up one of an endpoint's `cap` places) and top-K for K ≤ cap is unchanged by the cut.

export class DegreeCap {
  private readonly degree: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly score: Float64Array;
  kept = 0;
  dropped = 0;

  constructor(nNodes: number, private readonly rightOffset: number, private readonly cap: number) {
    this.degree = new Int32Array(nNodes);
    const max = nNodes * cap;
    this.left = new Int32Array(max);
    this.right = new Int32Array(max);
    this.score = new Float64Array(max);
  }

  offer(a: number, b: number, s: number): void {
    const nb = b + this.rightOffset;
    if (this.degree[a] >= this.cap && this.degree[nb] >= this.cap) {
      this.dropped++;
      return;
    }
    this.degree[a]++;
    this.degree[nb]++;
    this.left[this.kept] = a;
    this.right[this.kept] = b;
    this.score[this.kept] = s;
    this.kept++;
  }

  result(): { left: Int32Array; right: Int32Array; score: Float64Array } {
    return { left: this.left.slice(0, this.kept), right: this.right.slice(0, this.kept), score: this.score.slice(0, this.kept) };
  }
}
