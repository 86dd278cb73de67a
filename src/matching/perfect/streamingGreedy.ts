// Greedy one-to-one matching over edges that arrive in rank order (rankOrder.ts), in O(n)
// memory: the out-of-core form of greedy.ts, with the same result on the same edges.

export class StreamingGreedy {
  private readonly used: Uint8Array;
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly score: number[] = [];

  /** `rightOffset`: right id j is node rightOffset + j (bipartite: nLeft; general: 0). */
  constructor(nNodes: number, private readonly rightOffset: number) {
    this.used = new Uint8Array(nNodes);
  }

  /** Offer the next edge in rank order; returns false once scores reach ≤ 0 (nothing more to gain). */
  offer(a: number, b: number, s: number): boolean {
    if (!(s > 0)) return false;
    const nb = b + this.rightOffset;
    if (this.used[a] || this.used[nb]) return true;
    this.used[a] = 1;
    this.used[nb] = 1;
    this.left.push(a);
    this.right.push(b);
    this.score.push(s);
    return true;
  }

  result(): { left: Int32Array; right: Int32Array; score: Float64Array } {
    return { left: Int32Array.from(this.left), right: Int32Array.from(this.right), score: Float64Array.from(this.score) };
  }
}
