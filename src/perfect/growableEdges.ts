// An edge list that grows by doubling while edges stream in, then trims to typed arrays.
import type { EdgeList } from '../matching/perfect/graph.ts';

export class GrowableEdges {
  private left = new Int32Array(1024);
  private right = new Int32Array(1024);
  private score = new Float64Array(1024);
  length = 0;

  push(a: number, b: number, s: number): void {
    if (this.length === this.left.length) {
      const cap = this.length * 2;
      this.left = grow(this.left, new Int32Array(cap));
      this.right = grow(this.right, new Int32Array(cap));
      this.score = grow(this.score, new Float64Array(cap));
    }
    this.left[this.length] = a;
    this.right[this.length] = b;
    this.score[this.length] = s;
    this.length++;
  }

  /** Bytes held now, for the memory budget. */
  get bytes(): number {
    return this.left.byteLength + this.right.byteLength + this.score.byteLength;
  }

  toEdgeList(): EdgeList {
    return { left: this.left.slice(0, this.length), right: this.right.slice(0, this.length), score: this.score.slice(0, this.length) };
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
