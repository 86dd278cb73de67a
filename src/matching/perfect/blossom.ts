// Maximum-weight matching on a general (non-bipartite) graph: Edmonds' blossom algorithm with the
// primal-dual method. Every free vertex roots an alternating tree, all trees grow at once under
// one dual change (as in Galil's O(n³) method), but trees outlive augmentations: an augmentation
// dissolves only the two trees it joins, the others keep their labels and blossoms (the structure
// of LEMON's MaxWeightedMatching). The next dual change is not searched for: every edge that can
// become tight and every T-blossom dual that can reach 0 is an event in one binary heap, keyed by
// the total dual change at which it happens; stale events are dropped when popped. Duals are kept
// lazily per top-level blossom, so a label change costs O(1) and a dual change costs nothing.
//
// Exactness: scores are rounded to integers on a grid of max score / 2^SCORE_BITS, so every dual,
// slack and event key is an integer held exactly in a double, and the result is an exact optimum
// of the rounded scores. Scores on that grid (multiples of max/2^40: small integers, k/2^j) are
// not changed by the rounding, so the result is their exact optimum; otherwise the total is within
// n · max score · 2^-41 of the optimum of the raw scores (half a grid step per edge of two
// matchings). Edges with a score ≤ 0 are never chosen. The input must be a simple graph.
import { type GeneralGraph, type Pairs, pairsFromEdges, sortPairs } from './graph.ts';

/** 2^40 grid steps keep duals, slacks and event keys (all within a few times the largest weight) far below 2^53. */
const SCORE_BITS = 40;

/** The maximum-weight matching of g (not necessarily of maximum cardinality). */
export function maxWeightMatching(g: GeneralGraph): Pairs {
  const mate = blossomMates(g);
  const chosen: number[] = [];
  for (let k = 0; k < g.left.length; k++) if (mate[g.left[k]] === g.right[k] && g.score[k] > 0) chosen.push(k);
  return sortPairs(pairsFromEdges(g, chosen), g.n, g.n);
}

/** mate[v] = the node matched to v, or -1. */
export function blossomMates(g: GeneralGraph): Int32Array {
  const n = g.n;
  const mateOut = new Int32Array(n).fill(-1);
  let maxScore = 0;
  for (let k = 0; k < g.score.length; k++) if (g.score[k] > maxScore) maxScore = g.score[k];
  if (maxScore === 0 || n < 2) return mateOut;
  const grid = maxScore / 2 ** SCORE_BITS;

  // Positive edges only, with integer weights.
  let nedge = 0;
  for (let k = 0; k < g.score.length; k++) if (Math.round(g.score[k] / grid) > 0) nedge++;
  const endpoint = new Int32Array(2 * nedge);
  const wt = new Float64Array(nedge);
  for (let k = 0, e = 0; k < g.score.length; k++) {
    const w = Math.round(g.score[k] / grid);
    if (w <= 0) continue;
    if (g.left[k] === g.right[k]) throw new RangeError(`blossom: self-loop on node ${g.left[k]}`);
    endpoint[2 * e] = g.left[k];
    endpoint[2 * e + 1] = g.right[k];
    wt[e] = w;
    e++;
  }
  const mate = new Search(n, endpoint, wt).run();
  for (let v = 0; v < n; v++) if (mate[v] >= 0) mateOut[v] = endpoint[mate[v]];
  return mateOut;
}

const FREE = 0;
const S = 1;
const T = 2;
/** scanBlossom's breadcrumb on a label */
const MARK = 4;

/** Edge indices by decreasing integer weight (< 2^42): an LSD radix sort, 14 bits a pass. */
function edgesByWeightDescending(wt: Float64Array): Int32Array {
  const m = wt.length;
  let order = new Int32Array(m);
  let next = new Int32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  // The weight as two 21-bit halves, so that digits come from integer shifts.
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const h = Math.floor(wt[k] / 2097152);
    hi[k] = h;
    lo[k] = wt[k] - h * 2097152;
  }
  const digit = new Int32Array(m);
  const count = new Int32Array(1 << 14);
  for (let pass = 0; pass < 3; pass++) {
    count.fill(0);
    for (let k = 0; k < m; k++) {
      const raw = pass === 0 ? lo[k] & 16383 : pass === 1 ? (lo[k] >>> 14) | ((hi[k] & 127) << 7) : hi[k] >>> 7;
      // the complement of the digit sorts heaviest first
      const d = 16383 - raw;
      digit[k] = d;
      count[d]++;
    }
    let sum = 0;
    for (let d = 0; d < 16384; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let t = 0; t < m; t++) {
      const k = order[t];
      next[count[digit[k]]++] = k;
    }
    const tmp = order;
    order = next;
    next = tmp;
  }
  return order;
}

/** A binary min-heap of (key, id) pairs in typed arrays that grow by doubling. */
class EventHeap {
  keys: Float64Array;
  ids: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(16, capacity));
    this.ids = new Int32Array(Math.max(16, capacity));
  }

  push(key: number, id: number): void {
    if (this.size === this.keys.length) this.grow();
    const keys = this.keys;
    const ids = this.ids;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent];
      if (pk <= key) break;
      keys[i] = pk;
      ids[i] = ids[parent];
      i = parent;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Removes the top; read keys[0] and ids[0] before. */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const keys = this.keys;
    const ids = this.ids;
    const key = keys[n];
    const id = ids[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1] < keys[c]) c++;
      if (keys[c] >= key) break;
      keys[i] = keys[c];
      ids[i] = ids[c];
      i = c;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /** Restores the heap order after entries were written straight into keys/ids (0..size-1). */
  heapify(): void {
    const keys = this.keys;
    const ids = this.ids;
    const n = this.size;
    for (let start = (n >> 1) - 1; start >= 0; start--) {
      const key = keys[start];
      const id = ids[start];
      let i = start;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && keys[c + 1] < keys[c]) c++;
        if (keys[c] >= key) break;
        keys[i] = keys[c];
        ids[i] = ids[c];
        i = c;
      }
      keys[i] = key;
      ids[i] = id;
    }
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.keys = keys;
    this.ids = ids;
  }
}

/**
 * One run of the search. Vertices are 0..n-1, non-trivial blossoms n..2n-1. Edge k has endpoints
 * 2k and 2k+1 (endpoint[p] is the vertex of endpoint p; p ^ 1 is the other end). Vertex duals are
 * stored doubled (2·u), so that integer weights give integer arithmetic; the slack of an edge
 * between two top-level blossoms is dual(i) + dual(j) - 2·w.
 *
 * Time is the total dual change so far. A top-level blossom b labelled S since time since[b] has
 * lowered the duals of its vertices by (now - since[b]) and raised its own z by as much; T the
 * opposite; free changes nothing. dual(v) = dv[v] + acc[b] ± (now - since[b]), b = v's top-level
 * blossom; z(b) = zs[b] ∓ (now - since[b]). A label change folds the elapsed part into acc and zs.
 */
class Search {
  private readonly n: number;
  private readonly nedge: number;
  private readonly neighStart: Int32Array;
  /** remote endpoints of the edges at each vertex */
  private readonly neighEnd: Int32Array;
  private readonly mate: Int32Array;
  /** FREE, S or T, for top-level blossoms (vertices included) */
  private readonly label: Int32Array;
  private readonly labelend: Int32Array;
  /**
   * Which top-level blossom holds vertex v: setTop[vset[v]]. A blossom shares its set with its
   * largest child, so shrinking and expanding relabel only the vertices of the smaller children.
   */
  private readonly vset: Int32Array;
  private readonly setTop: Int32Array;
  /** the set of blossom b (of its largest child, down to a vertex), and its number of vertices */
  private readonly sid: Int32Array;
  private readonly nleaves: Int32Array;
  private readonly blossomparent: Int32Array;
  private readonly blossomchilds: (Int32Array | null)[];
  private readonly blossombase: Int32Array;
  private readonly blossomendps: (Int32Array | null)[];
  private readonly unusedblossoms: Int32Array;
  private nUnused: number;
  /** the tree (its root vertex) a labelled top-level blossom belongs to, else -1 */
  private readonly treeOf: Int32Array;
  private readonly dv: Float64Array;
  private readonly acc: Float64Array;
  private readonly since: Float64Array;
  private readonly zs: Float64Array;
  private now = 0;
  /** the time at which the free vertices' duals reach 0: the search ends there */
  private readonly end: number;
  private readonly heap: EventHeap;
  /** S vertices whose edges are still to be turned into events */
  private readonly queue: Int32Array;
  private queueLen = 0;
  /** tree members: linked records (blossom, next) per tree, recycled through a free list */
  private readonly treeHead: Int32Array;
  private recBlossom: Int32Array;
  private recNext: Int32Array;
  private recCount = 0;
  private recFree = -1;
  /** scratch: leaves of one blossom, the explicit stack that walks the blossom tree, blossoms set free */
  private readonly leafBuf: Int32Array;
  private readonly walkStack: Int32Array;
  private readonly pathBuf: Int32Array;
  private readonly endpsBuf: Int32Array;
  private freed: Int32Array;
  private nFreed = 0;
  /** per free vertex: its least-slack edge to an S vertex and that edge's event key */
  private readonly bestEdge: Int32Array;
  private readonly bestKey: Float64Array;
  /** per root: the position in its edge list of its next edge to another root */
  private readonly rootNext: Int32Array;
  /** augmentBlossom's pending (blossom, vertex) pairs */
  private readonly augStack: Int32Array;

  constructor(n: number, private readonly endpoint: Int32Array, private readonly wt: Float64Array) {
    this.n = n;
    const nedge = (this.nedge = wt.length);
    const deg = new Int32Array(n + 1);
    for (let p = 0; p < 2 * nedge; p++) deg[endpoint[p] + 1]++;
    for (let v = 0; v < n; v++) deg[v + 1] += deg[v];
    this.neighStart = deg;
    // Each vertex lists its edges heaviest first (edges placed in order of decreasing weight).
    const fill = deg.slice(0, n);
    this.neighEnd = new Int32Array(2 * nedge);
    const order = edgesByWeightDescending(wt);
    for (let t = 0; t < nedge; t++) {
      const k = order[t];
      this.neighEnd[fill[endpoint[2 * k]]++] = 2 * k + 1;
      this.neighEnd[fill[endpoint[2 * k + 1]]++] = 2 * k;
    }
    let maxweight = 0;
    for (let k = 0; k < nedge; k++) if (wt[k] > maxweight) maxweight = wt[k];
    this.end = maxweight;
    this.mate = new Int32Array(n).fill(-1);
    this.label = new Int32Array(2 * n);
    this.labelend = new Int32Array(2 * n).fill(-1);
    this.vset = new Int32Array(n);
    this.setTop = new Int32Array(n);
    this.sid = new Int32Array(2 * n);
    this.nleaves = new Int32Array(2 * n);
    for (let v = 0; v < n; v++) {
      this.vset[v] = v;
      this.setTop[v] = v;
      this.sid[v] = v;
      this.nleaves[v] = 1;
    }
    this.blossomparent = new Int32Array(2 * n).fill(-1);
    this.blossomchilds = new Array<Int32Array | null>(2 * n).fill(null);
    this.blossombase = new Int32Array(2 * n).fill(-1);
    for (let v = 0; v < n; v++) this.blossombase[v] = v;
    this.blossomendps = new Array<Int32Array | null>(2 * n).fill(null);
    this.unusedblossoms = new Int32Array(n);
    for (let b = 0; b < n; b++) this.unusedblossoms[b] = 2 * n - 1 - b;
    this.nUnused = n;
    this.treeOf = new Int32Array(2 * n).fill(-1);
    this.dv = new Float64Array(n).fill(maxweight);
    this.acc = new Float64Array(2 * n);
    this.since = new Float64Array(2 * n);
    this.zs = new Float64Array(2 * n);
    this.queue = new Int32Array(n);
    this.treeHead = new Int32Array(n).fill(-1);
    this.recBlossom = new Int32Array(2 * n);
    this.recNext = new Int32Array(2 * n);
    this.leafBuf = new Int32Array(n);
    this.walkStack = new Int32Array(2 * n);
    this.pathBuf = new Int32Array(2 * n);
    this.endpsBuf = new Int32Array(2 * n);
    this.freed = new Int32Array(64);
    this.augStack = new Int32Array(4 * n);
    this.bestEdge = new Int32Array(n).fill(-1);
    this.bestKey = new Float64Array(n).fill(Infinity);

    // Every vertex starts as the S root of its own tree with dual maxweight. Roots keep the same
    // dual (maxweight - now) for as long as they are free, so an edge between two roots becomes
    // tight at maxweight - w whatever happened before: a root waits for its heaviest edge to
    // another root only (rootNext), and moves on down its list when that one is spent.
    this.heap = new EventHeap(2 * n + 16);
    this.rootNext = deg.slice(0, n);
    const heap = this.heap;
    for (let v = 0; v < n; v++) {
      this.label[v] = S;
      this.treeOf[v] = v;
      this.addRecord(v, v);
      if (deg[v] < deg[v + 1]) {
        heap.keys[heap.size] = maxweight - wt[this.neighEnd[deg[v]] >> 1];
        heap.ids[heap.size++] = nedge + 2 * n + v;
      }
    }
    heap.heapify();
  }

  /** Root v's event for its heaviest edge to another root was popped: handles it, then waits for the next. */
  private rootEvent(v: number): void {
    const { mate, endpoint, neighEnd } = this;
    if (mate[v] !== -1) return;
    let q = this.rootNext[v];
    const p = neighEnd[q];
    if (mate[endpoint[p]] === -1) {
      this.edgeEvent(p >> 1);
      if (mate[v] !== -1) return;
    }
    const qEnd = this.neighStart[v + 1];
    for (q++; q < qEnd && mate[endpoint[neighEnd[q]]] !== -1; q++);
    this.rootNext[v] = q;
    if (q < qEnd) this.heap.push(this.end - this.wt[neighEnd[q] >> 1], this.nedge + 2 * this.n + v);
  }

  /** The dual of vertex v now (doubled). */
  private dual(v: number): number {
    const b = this.setTop[this.vset[v]];
    const l = this.label[b] & 3;
    const d = this.dv[v] + this.acc[b];
    return l === S ? d - (this.now - this.since[b]) : l === T ? d + (this.now - this.since[b]) : d;
  }

  /** The z of top-level blossom b now. */
  private zOf(b: number): number {
    const l = this.label[b] & 3;
    const z = this.zs[b];
    return l === S ? z + (this.now - this.since[b]) : l === T ? z - (this.now - this.since[b]) : z;
  }

  /** Changes the label of top-level blossom b, folding the dual change under the old label into acc and zs. */
  private setLabel(b: number, l: number): void {
    const old = this.label[b];
    if (old === S || old === T) {
      const elapsed = this.now - this.since[b];
      if (old === S) {
        this.acc[b] -= elapsed;
        this.zs[b] += elapsed;
      } else {
        this.acc[b] += elapsed;
        this.zs[b] -= elapsed;
      }
    }
    this.since[b] = this.now;
    this.label[b] = l;
  }

  private addRecord(tree: number, b: number): void {
    let r = this.recFree;
    if (r >= 0) this.recFree = this.recNext[r];
    else {
      if (this.recCount === this.recBlossom.length) {
        const rb = new Int32Array(this.recCount * 2);
        rb.set(this.recBlossom);
        const rn = new Int32Array(this.recCount * 2);
        rn.set(this.recNext);
        this.recBlossom = rb;
        this.recNext = rn;
      }
      r = this.recCount++;
    }
    this.recBlossom[r] = b;
    this.recNext[r] = this.treeHead[tree];
    this.treeHead[tree] = r;
  }

  /** Writes the leaf vertices of blossom b into out from offset; returns the new end offset. */
  private leaves(b: number, out: Int32Array, offset: number): number {
    if (b < this.n) {
      out[offset] = b;
      return offset + 1;
    }
    // Depth-first, children in order: push them reversed, emit vertices as they are popped.
    const stack = this.walkStack;
    let top = 0;
    stack[top++] = b;
    while (top > 0) {
      const x = stack[--top];
      if (x < this.n) {
        out[offset++] = x;
        continue;
      }
      const childs = this.blossomchilds[x]!;
      for (let c = childs.length - 1; c >= 0; c--) stack[top++] = childs[c];
    }
    return offset;
  }

  /** Labels the top-level blossom of w with t (reached through endpoint p) in tree; a T-blossom's mate becomes S. */
  private assignLabel(w: number, t: number, p: number, tree: number): void {
    for (;;) {
      const b = this.setTop[this.vset[w]];
      this.setLabel(b, t);
      this.labelend[b] = p;
      this.treeOf[b] = tree;
      this.addRecord(tree, b);
      if (t === S) {
        this.queueLen = this.leaves(b, this.queue, this.queueLen);
        return;
      }
      if (b >= this.n) this.heap.push(this.now + this.zs[b], this.nedge + b);
      const mb = this.mate[this.blossombase[b]];
      w = this.endpoint[mb];
      t = S;
      p = mb ^ 1;
    }
  }

  /** Traces back from v and w; returns the base of a new blossom, or -1 when they lie in two trees. */
  private scanBlossom(v: number, w: number): number {
    const { vset, setTop, label, labelend, endpoint, blossombase } = this;
    const path = this.pathBuf;
    let nPath = 0;
    let base = -1;
    while (v !== -1 || w !== -1) {
      let b = setTop[vset[v]];
      if (label[b] & MARK) {
        base = blossombase[b];
        break;
      }
      path[nPath++] = b;
      label[b] = S | MARK;
      if (labelend[b] === -1) {
        v = -1;
      } else {
        v = endpoint[labelend[b]];
        b = setTop[vset[v]];
        v = endpoint[labelend[b]];
      }
      if (w !== -1) {
        const t = v;
        v = w;
        w = t;
      }
    }
    for (let i = 0; i < nPath; i++) label[path[i]] = S;
    return base;
  }

  /** Shrinks the cycle closed by S–S edge k of one tree into a new S-blossom with z = 0. */
  private addBlossom(base: number, k: number): void {
    const { vset, setTop, blossomparent, labelend, endpoint, label } = this;
    let v = endpoint[2 * k];
    let w = endpoint[2 * k + 1];
    const bb = setTop[vset[base]];
    let bv = setTop[vset[v]];
    let bw = setTop[vset[w]];
    const b = this.unusedblossoms[--this.nUnused];
    this.blossombase[b] = base;
    blossomparent[b] = -1;
    blossomparent[bb] = b;
    // Children from v back to the base (reversed afterwards), then from w back to the base.
    const path = this.pathBuf;
    const endps = this.endpsBuf;
    let nv = 0;
    while (bv !== bb) {
      blossomparent[bv] = b;
      path[nv] = bv;
      endps[nv] = labelend[bv];
      nv++;
      v = endpoint[labelend[bv]];
      bv = setTop[vset[v]];
    }
    let total = 0;
    while (bw !== bb) {
      blossomparent[bw] = b;
      path[nv + total] = bw;
      endps[nv + total] = labelend[bw] ^ 1;
      total++;
      w = endpoint[labelend[bw]];
      bw = setTop[vset[w]];
    }
    const len = nv + 1 + total;
    const childs = new Int32Array(len);
    const cendps = new Int32Array(len);
    childs[0] = bb;
    for (let i = 0; i < nv; i++) {
      childs[1 + i] = path[nv - 1 - i];
      cendps[i] = endps[nv - 1 - i];
    }
    cendps[nv] = 2 * k;
    for (let i = 0; i < total; i++) {
      childs[nv + 1 + i] = path[nv + i];
      cendps[nv + 1 + i] = endps[nv + i];
    }
    this.blossomchilds[b] = childs;
    this.blossomendps[b] = cendps;
    const tree = this.treeOf[bb];
    // Children stop being top-level. The new blossom takes over the set and the pending dual
    // change (acc) of its largest child; the vertices of the others move into that set, their own
    // pending change (relative to the largest child's) folded into their duals. T-children turn S
    // with the new blossom and their vertices get scanned.
    const { sid, nleaves, acc } = this;
    let heavy = childs[0];
    let count = 0;
    for (let c = 0; c < len; c++) {
      const sub = childs[c];
      count += nleaves[sub];
      if (nleaves[sub] > nleaves[heavy]) heavy = sub;
    }
    const heavyWasT = label[heavy] === T;
    this.setLabel(heavy, FREE);
    const offHeavy = acc[heavy];
    acc[heavy] = 0;
    this.treeOf[heavy] = -1;
    const set = sid[heavy];
    for (let c = 0; c < len; c++) {
      const sub = childs[c];
      if (sub === heavy) continue;
      const wasT = label[sub] === T;
      this.setLabel(sub, FREE);
      const off = acc[sub] - offHeavy;
      acc[sub] = 0;
      this.treeOf[sub] = -1;
      const nl = this.leaves(sub, this.leafBuf, 0);
      for (let i = 0; i < nl; i++) {
        const x = this.leafBuf[i];
        this.dv[x] += off;
        vset[x] = set;
        if (wasT) this.queue[this.queueLen++] = x;
      }
    }
    if (heavyWasT) this.queueLen = this.leaves(heavy, this.queue, this.queueLen);
    sid[b] = set;
    setTop[set] = b;
    nleaves[b] = count;
    this.since[b] = this.now;
    acc[b] = offHeavy;
    this.zs[b] = 0;
    label[b] = S;
    labelend[b] = labelend[bb];
    this.treeOf[b] = tree;
    this.addRecord(tree, b);
  }

  /** Expands T-blossom b whose z reached 0: the children on the path from its entry to its base stay in the tree. */
  private expandBlossom(b: number): void {
    const { blossomparent, vset, setTop, label, labelend, endpoint } = this;
    const childs = this.blossomchilds[b]!;
    const tree = this.treeOf[b];
    this.setLabel(b, FREE);
    const off = this.acc[b];
    for (let c = 0; c < childs.length; c++) {
      const s = childs[c];
      blossomparent[s] = -1;
      this.acc[s] = off;
      this.since[s] = this.now;
      label[s] = FREE;
      this.treeOf[s] = -1;
      // The largest child keeps b's set; the others get their own back.
      setTop[this.sid[s]] = s;
      if (this.sid[s] !== this.sid[b]) {
        const nl = this.leaves(s, this.leafBuf, 0);
       
        for (let i = 0; i < nl; i++) vset[this.leafBuf[i]] = this.sid[s];
      }
    }
    // Relabel the sub-blossoms from the entry child to the base, stepping two at a time.
    const endps = this.blossomendps[b]!;
    const len = childs.length;
    const entrychild = setTop[vset[endpoint[labelend[b] ^ 1]]];
    let j = childs.indexOf(entrychild);
    let jstep: number;
    let endptrick: number;
    if (j & 1) {
      j -= len;
      jstep = 1;
      endptrick = 0;
    } else {
      jstep = -1;
      endptrick = 1;
    }
    const at = (x: number): number => (x < 0 ? x + len : x);
    let p = labelend[b];
    while (j !== 0) {
      this.assignLabel(endpoint[p ^ 1], T, p, tree);
      j += jstep;
      p = endps[at(j - endptrick)] ^ endptrick;
      j += jstep;
    }
    // The base child stays T without stepping to its mate (already S in the tree).
    const bv = childs[at(j)];
    this.setLabel(bv, T);
    labelend[bv] = p;
    this.treeOf[bv] = tree;
    this.addRecord(tree, bv);
    if (bv >= this.n) this.heap.push(this.now + this.zs[bv], this.nedge + bv);

    label[b] = labelend[b] = -1;
    this.treeOf[b] = -1;
    this.blossomchilds[b] = this.blossomendps[b] = null;
    this.blossombase[b] = -1;
    this.unusedblossoms[this.nUnused++] = b;

    // The other children leave the tree: their edges to S vertices become events.
    this.nFreed = 0;
    for (let c = 0; c < len; c++) if (label[childs[c]] === FREE) this.markFreed(childs[c]);
    this.eventsOfFreed();
  }

  private markFreed(b: number): void {
    if (this.nFreed === this.freed.length) {
      const f = new Int32Array(this.freed.length * 2);
      f.set(this.freed);
      this.freed = f;
    }
    this.freed[this.nFreed++] = b;
  }

  /**
   * The vertices of the freed blossoms are free now: each gets its best edge to an S vertex. A free
   * vertex whose best edge led to one of them keeps its event; popped stale, it finds a new best.
   */
  private eventsOfFreed(): void {
    for (let f = 0; f < this.nFreed; f++) {
      const nl = this.leaves(this.freed[f], this.leafBuf, 0);
      for (let i = 0; i < nl; i++) this.findBestEdge(this.leafBuf[i]);
    }
  }

  /**
   * Free vertex x's least-slack edge to an S vertex becomes its one (S, free) event. An S vertex's
   * dual is at least a root's (end - now), so an edge of weight w cannot be due before
   * dual(x) + end - 2w: down the heaviest-first list, the walk stops once that passes the best.
   */
  private findBestEdge(x: number): void {
    const { vset, setTop, label, neighStart, neighEnd, endpoint, wt, dv, acc, since, now, end } = this;
    const dx = this.dual(x);
    let best = end;
    let bestK = -1;
    for (let q = neighStart[x], qEnd = neighStart[x + 1]; q < qEnd; q++) {
      const p = neighEnd[q];
      const w2 = 2 * wt[p >> 1];
      if (dx + end - w2 >= best) break;
      const y = endpoint[p];
      const by = setTop[vset[y]];
      if (label[by] !== S) continue;
      const key = now + dx + dv[y] + acc[by] - (now - since[by]) - w2;
      if (key < best) {
        best = key;
        bestK = p >> 1;
      }
    }
    this.bestKey[x] = best;
    this.bestEdge[x] = bestK;
    if (bestK >= 0) this.heap.push(best, bestK);
  }

  /** Dissolves tree t: its labelled top-level blossoms become free (listed in freed). */
  private dissolveTree(t: number): void {
    const { label, blossomparent, treeOf } = this;
    let r = this.treeHead[t];
    let last = -1;
    while (r !== -1) {
      const b = this.recBlossom[r];
      if (blossomparent[b] === -1 && treeOf[b] === t && (label[b] === S || label[b] === T)) {
        this.setLabel(b, FREE);
        treeOf[b] = -1;
        this.labelend[b] = -1;
        this.markFreed(b);
      }
      last = r;
      r = this.recNext[r];
    }
    if (last !== -1) {
      this.recNext[last] = this.recFree;
      this.recFree = this.treeHead[t];
    }
    this.treeHead[t] = -1;
  }

  /**
   * Flips matched/unmatched edges along the path inside blossom b from vertex v to its base, and
   * makes v the base. Sub-blossoms on the path are flipped the same way; each is independent of
   * the others, so they wait on an explicit stack instead of a recursion as deep as the nesting.
   */
  private augmentBlossom(b0: number, v0: number): void {
    const { blossomparent, endpoint, mate } = this;
    const stack = this.augStack;
    let top = 0;
    stack[top++] = b0;
    stack[top++] = v0;
    while (top > 0) {
      const v = stack[--top];
      const b = stack[--top];
      let t = v;
      while (blossomparent[t] !== b) t = blossomparent[t];
      if (t >= this.n) {
        stack[top++] = t;
        stack[top++] = v;
      }
      const childs = this.blossomchilds[b]!;
      const endps = this.blossomendps[b]!;
      const len = childs.length;
      const i = childs.indexOf(t);
      let j = i;
      let jstep: number;
      let endptrick: number;
      if (i & 1) {
        j -= len;
        jstep = 1;
        endptrick = 0;
      } else {
        jstep = -1;
        endptrick = 1;
      }
      while (j !== 0) {
        j += jstep;
        t = childs[j < 0 ? j + len : j];
        const jj = j - endptrick;
        const p = endps[jj < 0 ? jj + len : jj] ^ endptrick;
        if (t >= this.n) {
          stack[top++] = t;
          stack[top++] = endpoint[p];
        }
        j += jstep;
        t = childs[j < 0 ? j + len : j];
        if (t >= this.n) {
          stack[top++] = t;
          stack[top++] = endpoint[p ^ 1];
        }
        mate[endpoint[p]] = p ^ 1;
        mate[endpoint[p ^ 1]] = p;
      }
      // Rotate the children so that the new base comes first.
      if (i > 0) {
        const rc = new Int32Array(len);
        const re = new Int32Array(len);
        for (let c = 0; c < len; c++) {
          rc[c] = childs[(i + c) % len];
          re[c] = endps[(i + c) % len];
        }
        this.blossomchilds[b] = rc;
        this.blossomendps[b] = re;
      }
      this.blossombase[b] = v;
    }
  }

  /** Augments the matching along the path through edge k, which joins S-vertices of two trees. */
  private augmentMatching(k: number): void {
    const { vset, setTop, labelend, endpoint, mate } = this;
    for (let side = 0; side < 2; side++) {
      let s = endpoint[2 * k + side];
      let p = 2 * k + 1 - side;
      for (;;) {
        const bs = setTop[vset[s]];
        if (bs >= this.n) this.augmentBlossom(bs, s);
        mate[s] = p;
        if (labelend[bs] === -1) break;
        const t = endpoint[labelend[bs]];
        const bt = setTop[vset[t]];
        s = endpoint[labelend[bt]];
        const j = endpoint[labelend[bt] ^ 1];
        if (bt >= this.n) this.augmentBlossom(bt, j);
        mate[j] = labelend[bt];
        p = labelend[bt] ^ 1;
      }
    }
  }

  /** Turns the edges of S-vertex v into events: to free vertices (rate 1) and to other S-blossoms (rate 2). */
  private scanVertex(v: number): void {
    const { vset, setTop, label, endpoint, wt, neighEnd, dv, acc, since, heap, end, now, bestKey, bestEdge } = this;
   
    const bv = setTop[vset[v]];
    const dvv = dv[v] + acc[bv] - (now - since[bv]);
    for (let q = this.neighStart[v], qEnd = this.neighStart[v + 1]; q < qEnd; q++) {
      const p = neighEnd[q];
      const w = endpoint[p];
      const bw = setTop[vset[w]];
      if (bw === bv) continue;
      const lw = label[bw];
      if (lw === T) continue;
      const k = p >> 1;
      if (lw === S) {
        const key = now + (dvv + dv[w] + acc[bw] - (now - since[bw]) - 2 * wt[k]) / 2;
        if (key < end) heap.push(key, k);
      } else {
        const key = now + dvv + dv[w] + acc[bw] - 2 * wt[k];
        if (key < bestKey[w]) {
          bestKey[w] = key;
          bestEdge[w] = k;
          if (key < end) heap.push(key, k);
        }
      }
    }
  }

  /**
   * Handles edge k at its event time: grows a tree, shrinks a blossom or augments when it is tight.
   * An event that is stale but was a free vertex's best edge makes that vertex look for its next best:
   * that one cannot be due earlier, so looking for it can wait until now.
   */
  private edgeEvent(k: number): void {
    const i = this.endpoint[2 * k];
    const j = this.endpoint[2 * k + 1];
    const bi = this.setTop[this.vset[i]];
    const bj = this.setTop[this.vset[j]];
    const li = this.label[bi];
    const lj = this.label[bj];
    if (bi !== bj && (li === S || lj === S) && li !== T && lj !== T && this.dual(i) + this.dual(j) === 2 * this.wt[k]) {
      if (li === FREE) {
        this.assignLabel(i, T, 2 * k + 1, this.treeOf[bj]);
       
      } else if (lj === FREE) {
        this.assignLabel(j, T, 2 * k, this.treeOf[bi]);
       
      } else {
        const base = this.scanBlossom(i, j);
        if (base >= 0) {
          this.addBlossom(base, k);
         
          return;
        }
        const ti = this.treeOf[bi];
        const tj = this.treeOf[bj];
        this.augmentMatching(k);
       
        this.nFreed = 0;
        this.dissolveTree(ti);
        this.dissolveTree(tj);
        this.eventsOfFreed();
      }
      return;
    }
    if (li === FREE && this.bestEdge[i] === k) this.findBestEdge(i);
    if (lj === FREE && this.bestEdge[j] === k) this.findBestEdge(j);
  }

  run(): Int32Array {
    const heap = this.heap;
    const nedge = this.nedge;
    for (;;) {
      while (this.queueLen > 0) this.scanVertex(this.queue[--this.queueLen]);
      if (heap.size === 0) break;
      const key = heap.keys[0];
      const id = heap.ids[0];
      // Past this time a free vertex's dual would go negative: the matching is optimal.
      if (key >= this.end) break;
      heap.pop();
      this.now = key;
      if (id < nedge) this.edgeEvent(id);
      else if (id >= nedge + 2 * this.n) this.rootEvent(id - nedge - 2 * this.n);
      else {
        const b = id - nedge;
        if (this.blossomparent[b] === -1 && this.blossombase[b] >= 0 && this.label[b] === T && this.zOf(b) === 0) this.expandBlossom(b);
      }
    }
    return this.mate;
  }
}
