// An edge list that grows by doubling while edges stream in, up to a fixed capacity (the memory
// budget's worth of edges), and is reused chunk after chunk once a group spills.
import type { EdgeList } from '../matching/perfect/graph.ts';

export const BYTES_PER_EDGE = 16;

export class GrowableEdges {
  private left = new Int32Array(1024);
  private right = new Int32Array(1024);
  private score = new Float64Array(1024);
  length = 0;

  /** `capacity`: the most edges held at once; growth stops there (the caller flushes). */
  constructor(readonly capacity = Infinity) {}

  get full(): boolean {
    return this.length >= this.capacity;
  }

  push(a: number, b: number, s: number): void {
    if (this.length === this.left.length) {
      const cap = Math.min(this.length * 2, Math.max(this.capacity, this.length + 1));
      this.left = grow(this.left, new Int32Array(cap));
      this.right = grow(this.right, new Int32Array(cap));
      this.score = grow(this.score, new Float64Array(cap));
    }
    this.left[this.length] = a;
    this.right[this.length] = b;
    this.score[this.length] = s;
    this.length++;
  }

  /** The edges held, without copying: valid until the next push or clear. */
  view(): EdgeList {
    return { left: this.left.subarray(0, this.length), right: this.right.subarray(0, this.length), score: this.score.subarray(0, this.length) };
  }

  /** Forgets the edges and keeps the arrays, so a spilling load allocates its chunk once. */
  clear(): void {
    this.length = 0;
  }

  toEdgeList(): EdgeList {
    return { left: this.left.slice(0, this.length), right: this.right.slice(0, this.length), score: this.score.slice(0, this.length) };
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
