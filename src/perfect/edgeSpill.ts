// The out-of-core edge store of a perfect-match run (the role of the original's GraphStore): edges
// that do not fit the memory budget go to the worker-local LMDB in chunks, are sorted chunk by
// chunk into rank-ordered runs, and are streamed back in global rank order by a k-way merge.
// Only O(chunk) edges are ever in memory.
import type { Database } from 'lmdb';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EdgeList } from '../matching/perfect/graph.ts';
import { compareRank, rankOrder } from '../matching/perfect/rankOrder.ts';
import { remapInPlace } from './canonicalIds.ts';

const RAW = 0;
const RUN = 1;
/** edges per LMDB value: 64 Ki edges ≈ 1 MiB */
const BLOB_EDGES = 1 << 16;
/** the merge lets the event loop run (BullMQ lock renewal) every this many edges */
const YIELD_EVERY = 1 << 20;
/**
 * edges per sorted run: a run is sorted on the main thread in one go, so it must stay far below
 * the job lock's duration (about 2 s for 4 Mi edges on an idle core; a budget-sized chunk of
 * 64 Mi edges took over 30 s under load and lost the lock)
 */
const RUN_EDGES = 1 << 22;

function encode(e: EdgeList, from: number, to: number): Buffer {
  const n = to - from;
  const buf = Buffer.allocUnsafe(8 + n * 16);
  buf.writeUInt32LE(n, 0);
  Buffer.from(e.left.buffer, e.left.byteOffset + from * 4, n * 4).copy(buf, 8);
  Buffer.from(e.right.buffer, e.right.byteOffset + from * 4, n * 4).copy(buf, 8 + n * 4);
  Buffer.from(e.score.buffer, e.score.byteOffset + from * 8, n * 8).copy(buf, 8 + n * 8);
  return buf;
}

/** Like encode, for the edges order[from..to) of e: a sorted run is written without a sorted copy. */
function encodeOrdered(e: EdgeList, order: Int32Array, from: number, to: number): Buffer {
  const n = to - from;
  const left = new Int32Array(n), right = new Int32Array(n), score = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const k = order[from + t];
    left[t] = e.left[k];
    right[t] = e.right[k];
    score[t] = e.score[k];
  }
  return encode({ left, right, score }, 0, n);
}

function decode(buf: Buffer): EdgeList {
  const n = buf.readUInt32LE(0);
  // copy into fresh, aligned arrays
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice(8);
  return {
    left: new Int32Array(bytes.buffer, 0, n),
    right: new Int32Array(bytes.buffer, n * 4, n),
    score: new Float64Array(bytes.buffer.slice(n * 8, n * 16)),
  };
}

export interface SpillStats {
  edges: number;
  chunks: number;
  runs: number;
}

export class EdgeSpill {
  private chunks = 0;
  private runs = 0;
  edges = 0;

  /** `id` keeps concurrent spills of one process apart in the shared database. */
  constructor(
    private readonly db: Database<Buffer, Array<string | number>>,
    private readonly id: string,
    private readonly runEdges = RUN_EDGES,
  ) {}

  private key(kind: number, n: number, blob: number): Array<string | number> {
    return [this.id, kind, n, blob];
  }

  /** Stores one chunk of edges as they arrived (ids not yet canonical). */
  async appendChunk(e: EdgeList): Promise<void> {
    const chunk = this.chunks++;
    for (let from = 0, blob = 0; from < e.left.length; from += BLOB_EDGES, blob++) {
      await this.db.put(this.key(RAW, chunk, blob), encode(e, from, Math.min(e.left.length, from + BLOB_EDGES)));
    }
    this.edges += e.left.length;
  }

  private blobs(kind: number, id: number): Iterable<{ value: Buffer }> {
    return this.db.getRange({ start: this.key(kind, id, 0), end: this.key(kind, id + 1, 0) });
  }

  /** One raw chunk, read straight into one set of arrays (no per-blob copies kept). */
  private readChunk(chunk: number): EdgeList {
    let m = 0;
    for (const { value } of this.blobs(RAW, chunk)) m += value.readUInt32LE(0);
    const e: EdgeList = { left: new Int32Array(m), right: new Int32Array(m), score: new Float64Array(m) };
    let at = 0;
    for (const { value } of this.blobs(RAW, chunk)) {
      const p = decode(value);
      e.left.set(p.left, at);
      e.right.set(p.right, at);
      e.score.set(p.score, at);
      at += p.left.length;
    }
    return e;
  }

  /**
   * Turns every raw chunk into a sorted run: ids renumbered (canonicalIds), general-graph edges
   * oriented smaller id first, then sorted in rank order, in runs of at most RUN_EDGES. Peak
   * memory: one chunk and one run's order.
   */
  async sortRuns(remapLeft: Int32Array, remapRight: Int32Array, general: boolean): Promise<void> {
    for (let chunk = 0; chunk < this.chunks; chunk++) {
      const e = this.readChunk(chunk);
      const m = e.left.length;
      remapInPlace(e.left, remapLeft);
      remapInPlace(e.right, remapRight);
      if (general) {
        for (let k = 0; k < m; k++) {
          if (e.left[k] > e.right[k]) {
            const t = e.left[k];
            e.left[k] = e.right[k];
            e.right[k] = t;
          }
        }
      }
      for (let from = 0; from < m; from += this.runEdges) {
        const to = Math.min(m, from + this.runEdges);
        const part: EdgeList = { left: e.left.subarray(from, to), right: e.right.subarray(from, to), score: e.score.subarray(from, to) };
        const order = rankOrder(part.left, part.right, part.score);
        const run = this.runs++;
        for (let at = 0, blob = 0; at < order.length; at += BLOB_EDGES, blob++) {
          await this.db.put(this.key(RUN, run, blob), encodeOrdered(part, order, at, Math.min(order.length, at + BLOB_EDGES)));
        }
        await yieldToEventLoop();
      }
      await this.db.transaction(() => {
        for (const key of this.db.getKeys({ start: this.key(RAW, chunk, 0), end: this.key(RAW, chunk + 1, 0) })) this.db.removeSync(key);
      });
      await yieldToEventLoop();
    }
    this.chunks = 0;
  }

  /**
   * Calls onEdge for every edge in global rank order; stops early when onEdge returns false.
   * An edge listed twice (a→b and b→a with one score) is passed once.
   */
  async merge(onEdge: (a: number, b: number, s: number) => boolean | void): Promise<void> {
    type Cursor = { it: Iterator<{ value: Buffer }>; e: EdgeList; i: number };
    const cursors: Cursor[] = [];
    for (let run = 0; run < this.runs; run++) {
      const it = this.db.getRange({ start: this.key(RUN, run, 0), end: this.key(RUN, run + 1, 0) })[Symbol.iterator]() as Iterator<{ value: Buffer }>;
      const first = it.next();
      if (!first.done) cursors.push({ it, e: decode(first.value.value), i: 0 });
    }
    const before = (x: Cursor, y: Cursor) =>
      compareRank(x.e.score[x.i], x.e.left[x.i], x.e.right[x.i], y.e.score[y.i], y.e.left[y.i], y.e.right[y.i]) < 0;
    const heap = new MinHeap<Cursor>(before);
    for (const c of cursors) heap.push(c);
    let lastA = -1, lastB = -1, lastS = NaN, n = 0;
    while (heap.size) {
      const c = heap.peek();
      const a = c.e.left[c.i], b = c.e.right[c.i], s = c.e.score[c.i];
      if (!(a === lastA && b === lastB && s === lastS)) {
        if (onEdge(a, b, s) === false) return;
        lastA = a; lastB = b; lastS = s;
      }
      if (++c.i === c.e.left.length) {
        const next = c.it.next();
        if (next.done) heap.pop();
        else {
          c.e = decode(next.value.value);
          c.i = 0;
          heap.fixTop();
        }
      } else heap.fixTop();
      if (++n % YIELD_EVERY === 0) await yieldToEventLoop();
    }
  }

  get stats(): SpillStats {
    return { edges: this.edges, chunks: this.chunks, runs: this.runs };
  }

  /** Removes everything this spill wrote. */
  async clear(): Promise<void> {
    await this.db.transaction(() => {
      for (const key of this.db.getKeys({ start: [this.id], end: [`${this.id}\uffff`] })) this.db.removeSync(key);
    });
  }
}

/** A binary heap whose top is the least element by `less`; fixTop re-sinks a changed top. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number { return this.items.length; }
  peek(): T { return this.items[0]; }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): void {
    const a = this.items;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      this.fixTop();
    }
  }
  fixTop(): void {
    const a = this.items;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l], a[m])) m = l;
      if (r < a.length && this.less(a[r], a[m])) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m], a[i]];
      i = m;
    }
  }
}
