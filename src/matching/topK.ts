// The K best neighbours of each of `rows` nodes: one bounded binary min-heap per row, laid out in
// flat typed arrays (row r owns entries [r*K, r*K + K)). The heap root is the row's worst kept
// entry, so rejecting a candidate that does not beat it is one comparison.
//
// Order: higher score first; equal scores by smaller neighbour id first. Callers make ids mean
// something stable (the pipeline uses each node's rank in reference-id order), so that ties are
// broken the same way in every job and every run.
//
// A row must not be offered the same neighbour twice (the strategies never do: each candidate
// pair is scored once per direction); merging partial lists assumes disjoint neighbour sets.
export interface TopKEntry {
  id: number;
  score: number;
}

export class TopK {
  readonly score: Float64Array;
  readonly id: Int32Array;
  readonly count: Int32Array;

  constructor(readonly rows: number, readonly k: number) {
    if (!(k >= 1)) throw new Error('top-K needs K ≥ 1');
    this.score = new Float64Array(rows * k);
    this.id = new Int32Array(rows * k);
    this.count = new Int32Array(rows);
  }

  /**
   * Keeps (id, s) in row `row` if it is among the K best so far. Kept small so that it inlines
   * into scoring loops: most offers to a full row are rejected by the root comparison.
   */
  offer(row: number, id: number, s: number): void {
    const base = row * this.k;
    if (this.count[row] === this.k) {
      const rs = this.score[base];
      if (s < rs || (s === rs && id >= this.id[base])) return;
    }
    this.insert(row, id, s);
  }

  private insert(row: number, id: number, s: number): void {
    const k = this.k;
    const base = row * k;
    const n = this.count[row];
    if (n < k) {
      // A row that is not full is an unordered list; it becomes a heap when it fills up
      // (Floyd's O(K) heapify), so filling costs no sifting at all.
      this.score[base + n] = s;
      this.id[base + n] = id;
      this.count[row] = n + 1;
      if (n + 1 === k) for (let i = (k >> 1) - 1; i >= 0; i--) this.siftDown(base, i, this.score[base + i], this.id[base + i]);
      return;
    }
    // full, and (s, id) beats the root: replace the root
    this.siftDown(base, 0, s, id);
  }

  /** Places (s, id) at heap position i of the full row at `base`, moving worse children up. */
  private siftDown(base: number, i: number, s: number, id: number): void {
    const k = this.k;
    const score = this.score;
    const ids = this.id;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) break;
      let c = l;
      const r = l + 1;
      if (r < k) {
        const ls = score[base + l];
        const rs = score[base + r];
        if (rs < ls || (rs === ls && ids[base + r] > ids[base + l])) c = r;
      }
      const cs = score[base + c];
      if (s < cs || (s === cs && id > ids[base + c])) break;
      score[base + i] = cs;
      ids[base + i] = ids[base + c];
      i = c;
    }
    score[base + i] = s;
    ids[base + i] = id;
  }

  /** The score a new neighbour must beat to enter a full row (its worst); -Infinity while the row has room. */
  floor(row: number): number {
    return this.count[row] < this.k ? -Infinity : this.score[row * this.k];
  }

  /** Row `row`'s entries, best first. */
  sorted(row: number): TopKEntry[] {
    const out: TopKEntry[] = [];
    const base = row * this.k;
    for (let i = 0; i < this.count[row]; i++) out.push({ id: this.id[base + i], score: this.score[base + i] });
    return out.sort((x, y) => y.score - x.score || x.id - y.id);
  }

  /** Offers every entry of `other` (same K semantics) to this: the merge of two partial top-K lists. */
  merge(other: TopK, rowMap?: Int32Array): void {
    for (let r = 0; r < other.rows; r++) {
      const to = rowMap ? rowMap[r] : r;
      const base = r * other.k;
      for (let i = 0; i < other.count[r]; i++) this.offer(to, other.id[base + i], other.score[base + i]);
    }
  }
}
