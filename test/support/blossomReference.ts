// The O(n³) blossom matchflow shipped before the event-driven one (src/matching/perfect/blossom.ts):
// kept as an independent oracle for the tests, which compare the two on graphs too big for brute force.
//
// Maximum-weight matching on a general (non-bipartite) graph: Edmonds' blossom algorithm with
// the primal-dual method, O(n³), after Galil (1986) and Joris van Rantwijk's mwmatching (the
// code networkx and the npm edmonds-blossom follow). Rewritten over typed arrays: the per-vertex
// and per-blossom state lives in flat arrays, blossom leaves are walked with an explicit stack
// into reused buffers, and nothing is allocated per scanned edge.
//
// Exactness: scores are rounded to integers on a grid of max score / 2^SCORE_BITS before the
// search, so every dual variable and slack is an integer held exactly in a double and the
// result is an exact optimum for the rounded scores (floating-point slack is what makes float
// versions of this algorithm occasionally return a slightly worse matching). Edges with a score
// ≤ 0 are never chosen. The input must be a simple graph (see canonicalGeneral).
import { type GeneralGraph, type Pairs, pairsFromEdges, sortPairs } from '../../src/matching/perfect/graph.ts';

/** 2^40 grid steps keep the duals (bounded by a few times the largest weight) far below 2^53. */
const SCORE_BITS = 40;

/** The maximum-weight matching of g (not necessarily of maximum cardinality). */
export function referenceMaxWeightMatching(g: GeneralGraph): Pairs {
  const mate = referenceBlossomMates(g);
  const chosen: number[] = [];
  for (let k = 0; k < g.left.length; k++) if (mate[g.left[k]] === g.right[k] && g.score[k] > 0) chosen.push(k);
  return sortPairs(pairsFromEdges(g, chosen), g.n, g.n);
}

/** mate[v] = the node matched to v, or -1. */
export function referenceBlossomMates(g: GeneralGraph): Int32Array {
  const nvertex = g.n;
  const mateOut = new Int32Array(nvertex).fill(-1);
  let maxScore = 0;
  for (let k = 0; k < g.score.length; k++) if (g.score[k] > maxScore) maxScore = g.score[k];
  if (maxScore === 0 || nvertex < 2) return mateOut;
  const grid = maxScore / 2 ** SCORE_BITS;

  // Positive edges only, with integer weights.
  let nedge = 0;
  for (let k = 0; k < g.score.length; k++) if (Math.round(g.score[k] / grid) > 0) nedge++;
  const endpoint = new Int32Array(2 * nedge);
  const wt = new Float64Array(nedge);
  const original = new Int32Array(nedge);
  for (let k = 0, e = 0; k < g.score.length; k++) {
    const w = Math.round(g.score[k] / grid);
    if (w <= 0) continue;
    if (g.left[k] === g.right[k]) throw new RangeError(`blossom: self-loop on node ${g.left[k]}`);
    endpoint[2 * e] = g.left[k];
    endpoint[2 * e + 1] = g.right[k];
    wt[e] = w;
    original[e] = k;
    e++;
  }
  const mate = new Search(nvertex, endpoint, wt).run();
  for (let v = 0; v < nvertex; v++) if (mate[v] >= 0) mateOut[v] = endpoint[mate[v]];
  return mateOut;
}

/**
 * One run of the primal-dual search. Vertices are 0..n-1, non-trivial blossoms n..2n-1. Edge k
 * has endpoints 2k and 2k+1 (endpoint[p] is the vertex of endpoint p; p ^ 1 is the other end).
 * Vertex duals are stored doubled (2·u) so that integer weights give integer arithmetic.
 */
class Search {
  private readonly n: number;
  private readonly nedge: number;
  private readonly neighStart: Int32Array;
  /** remote endpoints of the edges at each vertex */
  private readonly neighEnd: Int32Array;
  private readonly mate: Int32Array;
  private readonly label: Int32Array;
  private readonly labelend: Int32Array;
  private readonly inblossom: Int32Array;
  private readonly blossomparent: Int32Array;
  private readonly blossomchilds: (Int32Array | null)[];
  private readonly blossombase: Int32Array;
  private readonly blossomendps: (Int32Array | null)[];
  private readonly bestedge: Int32Array;
  private readonly blossombestedges: (Int32Array | null)[];
  private readonly unusedblossoms: Int32Array;
  private nUnused: number;
  private readonly dualvar: Float64Array;
  private readonly allowedge: Uint8Array;
  private readonly queue: Int32Array;
  private queueLen = 0;
  /** scratch: leaves of one blossom, and the explicit stack that walks the blossom tree */
  private readonly leafBuf: Int32Array;
  private readonly walkStack: Int32Array;
  /** scratch of addBlossom: least-slack edge to each neighbouring S-blossom */
  private readonly bestedgeto: Int32Array;
  private readonly bestedgetoUsed: Int32Array;
  /** scratch of addBlossom and expandBlossom: child lists being built */
  private readonly pathBuf: Int32Array;
  private readonly endpsBuf: Int32Array;

  constructor(n: number, private readonly endpoint: Int32Array, private readonly wt: Float64Array) {
    this.n = n;
    const nedge = (this.nedge = wt.length);
    const deg = new Int32Array(n + 1);
    for (let p = 0; p < 2 * nedge; p++) deg[endpoint[p] + 1]++;
    for (let v = 0; v < n; v++) deg[v + 1] += deg[v];
    this.neighStart = deg;
    const fill = deg.slice(0, n);
    this.neighEnd = new Int32Array(2 * nedge);
    for (let k = 0; k < nedge; k++) {
      this.neighEnd[fill[endpoint[2 * k]]++] = 2 * k + 1;
      this.neighEnd[fill[endpoint[2 * k + 1]]++] = 2 * k;
    }
    let maxweight = 0;
    for (let k = 0; k < nedge; k++) if (wt[k] > maxweight) maxweight = wt[k];
    this.mate = new Int32Array(n).fill(-1);
    this.label = new Int32Array(2 * n);
    this.labelend = new Int32Array(2 * n).fill(-1);
    this.inblossom = new Int32Array(n);
    for (let v = 0; v < n; v++) this.inblossom[v] = v;
    this.blossomparent = new Int32Array(2 * n).fill(-1);
    this.blossomchilds = new Array(2 * n).fill(null);
    this.blossombase = new Int32Array(2 * n).fill(-1);
    for (let v = 0; v < n; v++) this.blossombase[v] = v;
    this.blossomendps = new Array(2 * n).fill(null);
    this.bestedge = new Int32Array(2 * n).fill(-1);
    this.blossombestedges = new Array(2 * n).fill(null);
    this.unusedblossoms = new Int32Array(n);
    for (let b = 0; b < n; b++) this.unusedblossoms[b] = n + b;
    this.nUnused = n;
    this.dualvar = new Float64Array(2 * n);
    for (let v = 0; v < n; v++) this.dualvar[v] = maxweight;
    this.allowedge = new Uint8Array(nedge);
    // Each vertex turns S at most once per stage, plus one re-queued vertex per dual change.
    this.queue = new Int32Array(n + 1);
    this.leafBuf = new Int32Array(n);
    this.walkStack = new Int32Array(2 * n);
    this.bestedgeto = new Int32Array(2 * n).fill(-1);
    this.bestedgetoUsed = new Int32Array(2 * n);
    this.pathBuf = new Int32Array(2 * n);
    this.endpsBuf = new Int32Array(2 * n);
  }

  /** 2 × slack of edge k (not valid for edges inside a blossom). */
  private slack(k: number): number {
    return this.dualvar[this.endpoint[2 * k]] + this.dualvar[this.endpoint[2 * k + 1]] - 2 * this.wt[k];
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

  private assignLabel(w: number, t: number, p: number): void {
    const { inblossom, label, labelend, bestedge } = this;
    for (;;) {
      const b = inblossom[w];
      label[w] = label[b] = t;
      labelend[w] = labelend[b] = p;
      bestedge[w] = bestedge[b] = -1;
      if (t === 1) {
        // b became an S-blossom: its vertices join the queue.
        this.queueLen = this.leaves(b, this.queue, this.queueLen);
        return;
      }
      // b became a T-blossom: its base's mate becomes S (the loop replaces the recursion).
      const base = this.blossombase[b];
      const mb = this.mate[base];
      w = this.endpoint[mb];
      t = 1;
      p = mb ^ 1;
    }
  }

  /** Traces back from v and w; returns the base of a new blossom, or -1 for an augmenting path. */
  private scanBlossom(v: number, w: number): number {
    const { inblossom, label, labelend, endpoint, blossombase } = this;
    const path = this.pathBuf;
    let nPath = 0;
    let base = -1;
    while (v !== -1 || w !== -1) {
      let b = inblossom[v];
      if (label[b] & 4) {
        base = blossombase[b];
        break;
      }
      path[nPath++] = b;
      label[b] = 5;
      if (labelend[b] === -1) {
        v = -1;
      } else {
        v = endpoint[labelend[b]];
        b = inblossom[v];
        v = endpoint[labelend[b]];
      }
      if (w !== -1) {
        const t = v;
        v = w;
        w = t;
      }
    }
    for (let i = 0; i < nPath; i++) label[path[i]] = 1;
    return base;
  }

  private addBlossom(base: number, k: number): void {
    const { inblossom, blossomparent, labelend, endpoint, label } = this;
    let v = endpoint[2 * k];
    let w = endpoint[2 * k + 1];
    const bb = inblossom[base];
    let bv = inblossom[v];
    let bw = inblossom[w];
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
      bv = inblossom[v];
    }
    let total = 0;
    while (bw !== bb) {
      blossomparent[bw] = b;
      path[nv + total] = bw;
      endps[nv + total] = labelend[bw] ^ 1;
      total++;
      w = endpoint[labelend[bw]];
      bw = inblossom[w];
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
    label[b] = 1;
    labelend[b] = labelend[bb];
    this.dualvar[b] = 0;
    // Relabel: T-vertices inside the new blossom become S and join the queue.
    const nLeaves = this.leaves(b, this.leafBuf, 0);
    for (let i = 0; i < nLeaves; i++) {
      const x = this.leafBuf[i];
      if (label[inblossom[x]] === 2) this.queue[this.queueLen++] = x;
      inblossom[x] = b;
    }
    // Least-slack edges from the new blossom to each neighbouring S-blossom.
    const bestedgeto = this.bestedgeto;
    const used = this.bestedgetoUsed;
    let nUsed = 0;
    const consider = (kk: number): void => {
      let i = endpoint[2 * kk];
      let j = endpoint[2 * kk + 1];
      if (inblossom[j] === b) {
        const t = i;
        i = j;
        j = t;
      }
      const bj = inblossom[j];
      if (bj !== b && label[bj] === 1) {
        const cur = bestedgeto[bj];
        if (cur === -1) {
          used[nUsed++] = bj;
          bestedgeto[bj] = kk;
        } else if (this.slack(kk) < this.slack(cur)) bestedgeto[bj] = kk;
      }
    };
    for (let c = 0; c < len; c++) {
      const sub = childs[c];
      const list = this.blossombestedges[sub];
      if (list === null) {
        // No list for this sub-blossom yet: take the edges of its vertices.
        const nl = this.leaves(sub, this.leafBuf, 0);
        for (let li = 0; li < nl; li++) {
          const x = this.leafBuf[li];
          for (let q = this.neighStart[x]; q < this.neighStart[x + 1]; q++) consider(this.neighEnd[q] >> 1);
        }
      } else {
        for (let q = 0; q < list.length; q++) consider(list[q]);
      }
      this.blossombestedges[sub] = null;
      this.bestedge[sub] = -1;
    }
    // In the order of blossom ids, as a list indexed by id would give.
    const ids = used.subarray(0, nUsed).sort();
    const list = new Int32Array(nUsed);
    let best = -1;
    for (let q = 0; q < nUsed; q++) {
      const kk = bestedgeto[ids[q]];
      list[q] = kk;
      bestedgeto[ids[q]] = -1;
      if (best === -1 || this.slack(kk) < this.slack(best)) best = kk;
    }
    this.blossombestedges[b] = list;
    this.bestedge[b] = best;
  }

  private expandBlossom(b: number, endstage: boolean): void {
    const { blossomparent, inblossom, label, labelend, endpoint, dualvar } = this;
    const childs = this.blossomchilds[b]!;
    for (let c = 0; c < childs.length; c++) {
      const s = childs[c];
      blossomparent[s] = -1;
      if (s < this.n) inblossom[s] = s;
      else if (endstage && dualvar[s] === 0) this.expandBlossom(s, endstage);
      else {
        const nl = this.leaves(s, this.leafBuf, 0);
        for (let i = 0; i < nl; i++) inblossom[this.leafBuf[i]] = s;
      }
    }
    if (!endstage && label[b] === 2) {
      // Relabel the sub-blossoms of an expanding T-blossom, from the entry child to the base.
      const endps = this.blossomendps[b]!;
      const len = childs.length;
      const entrychild = inblossom[endpoint[labelend[b] ^ 1]];
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
        label[endpoint[p ^ 1]] = 0;
        label[endpoint[endps[at(j - endptrick)] ^ endptrick ^ 1]] = 0;
        this.assignLabel(endpoint[p ^ 1], 2, p);
        this.allowedge[endps[at(j - endptrick)] >> 1] = 1;
        j += jstep;
        p = endps[at(j - endptrick)] ^ endptrick;
        this.allowedge[p >> 1] = 1;
        j += jstep;
      }
      // The base T-sub-blossom keeps its label without stepping to its mate.
      const bv = childs[at(j)];
      label[endpoint[p ^ 1]] = label[bv] = 2;
      labelend[endpoint[p ^ 1]] = labelend[bv] = p;
      this.bestedge[bv] = -1;
      j += jstep;
      while (childs[at(j)] !== entrychild) {
        const sub = childs[at(j)];
        if (label[sub] === 1) {
          j += jstep;
          continue;
        }
        const nl = this.leaves(sub, this.leafBuf, 0);
        let reached = -1;
        for (let i = 0; i < nl; i++) {
          if (label[this.leafBuf[i]] !== 0) {
            reached = this.leafBuf[i];
            break;
          }
        }
        if (reached !== -1) {
          label[reached] = 0;
          label[endpoint[this.mate[this.blossombase[sub]]]] = 0;
          this.assignLabel(reached, 2, labelend[reached]);
        }
        j += jstep;
      }
    }
    label[b] = labelend[b] = -1;
    this.blossomchilds[b] = this.blossomendps[b] = null;
    this.blossombase[b] = -1;
    this.blossombestedges[b] = null;
    this.bestedge[b] = -1;
    this.unusedblossoms[this.nUnused++] = b;
  }

  /** Flips matched/unmatched edges along the path inside blossom b from vertex v to its base. */
  private augmentBlossom(b: number, v: number): void {
    const { blossomparent, endpoint, mate } = this;
    let t = v;
    while (blossomparent[t] !== b) t = blossomparent[t];
    if (t >= this.n) this.augmentBlossom(t, v);
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
    const at = (x: number): number => (x < 0 ? x + len : x);
    while (j !== 0) {
      j += jstep;
      t = childs[at(j)];
      const p = endps[at(j - endptrick)] ^ endptrick;
      if (t >= this.n) this.augmentBlossom(t, endpoint[p]);
      j += jstep;
      t = childs[at(j)];
      if (t >= this.n) this.augmentBlossom(t, endpoint[p ^ 1]);
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
    this.blossombase[b] = this.blossombase[this.blossomchilds[b]![0]];
  }

  /** Augments the matching along the path through edge k, which joins two S-vertices. */
  private augmentMatching(k: number): void {
    const { inblossom, labelend, endpoint, mate } = this;
    for (let side = 0; side < 2; side++) {
      let s = endpoint[2 * k + side];
      let p = 2 * k + 1 - side;
      for (;;) {
        const bs = inblossom[s];
        if (bs >= this.n) this.augmentBlossom(bs, s);
        mate[s] = p;
        if (labelend[bs] === -1) break;
        const t = endpoint[labelend[bs]];
        const bt = inblossom[t];
        s = endpoint[labelend[bt]];
        const j = endpoint[labelend[bt] ^ 1];
        if (bt >= this.n) this.augmentBlossom(bt, j);
        mate[j] = labelend[bt];
        p = labelend[bt] ^ 1;
      }
    }
  }

  /**
   * Scans the edges of S-vertex v: labels free neighbours T, grows blossoms, or augments (then
   * returns true). Non-tight edges update the least-slack bookkeeping used by delta2 and delta3.
   * Its own method, with the arrays in locals: the hottest loop of the search.
   */
  private scanVertex(v: number): boolean {
    const { inblossom, label, labelend, endpoint, dualvar, allowedge, bestedge, wt, neighEnd } = this;
    const dv = dualvar[v]; // vertex duals change only between substages
    for (let q = this.neighStart[v], qEnd = this.neighStart[v + 1]; q < qEnd; q++) {
      const p = neighEnd[q];
      const k = p >> 1;
      const w = endpoint[p];
      const bw = inblossom[w];
      // v's blossom can change while its edges are scanned (addBlossom), so look it up each time.
      if (inblossom[v] === bw) continue;
      let kslack = 0;
      if (allowedge[k] === 0) {
        kslack = dv + dualvar[w] - 2 * wt[k];
        if (kslack <= 0) allowedge[k] = 1;
      }
      if (allowedge[k] === 1) {
        if (label[bw] === 0) {
          this.assignLabel(w, 2, p ^ 1);
        } else if (label[bw] === 1) {
          const base = this.scanBlossom(v, w);
          if (base >= 0) this.addBlossom(base, k);
          else {
            this.augmentMatching(k);
            return true;
          }
        } else if (label[w] === 0) {
          label[w] = 2;
          labelend[w] = p ^ 1;
        }
      } else if (label[bw] === 1) {
        const b = inblossom[v];
        const be = bestedge[b];
        if (be === -1 || kslack < dualvar[endpoint[2 * be]] + dualvar[endpoint[2 * be + 1]] - 2 * wt[be]) bestedge[b] = k;
      } else if (label[w] === 0) {
        const be = bestedge[w];
        if (be === -1 || kslack < dualvar[endpoint[2 * be]] + dualvar[endpoint[2 * be + 1]] - 2 * wt[be]) bestedge[w] = k;
      }
    }
    return false;
  }

  /** Edge (delta types 2, 3) or blossom (type 4) where the last dual change stopped. */
  private deltaEdge = -1;
  private deltaBlossom = -1;

  /**
   * Finds the largest dual change that keeps every slack ≥ 0 (delta1: a vertex dual reaches 0;
   * delta2: an S–free edge becomes tight; delta3: an S–S edge; delta4: a T-blossom's z reaches 0),
   * applies it, and returns which limit was hit.
   */
  private changeDuals(): number {
    const n = this.n;
    const { label, inblossom, bestedge, dualvar, blossomparent, blossombase, endpoint, wt } = this;
    let deltatype = 1;
    let delta = Infinity;
    for (let v = 0; v < n; v++) {
      if (dualvar[v] < delta) {
        delta = dualvar[v];
        deltatype = 1;
      }
    }
    for (let v = 0; v < n; v++) {
      const be = bestedge[v];
      if (be !== -1 && label[inblossom[v]] === 0) {
        const d = dualvar[endpoint[2 * be]] + dualvar[endpoint[2 * be + 1]] - 2 * wt[be];
        if (d < delta) {
          delta = d;
          deltatype = 2;
          this.deltaEdge = be;
        }
      }
    }
    for (let b = 0; b < 2 * n; b++) {
      const be = bestedge[b];
      if (be !== -1 && blossomparent[b] === -1 && label[b] === 1) {
        const d = (dualvar[endpoint[2 * be]] + dualvar[endpoint[2 * be + 1]] - 2 * wt[be]) / 2;
        if (d < delta) {
          delta = d;
          deltatype = 3;
          this.deltaEdge = be;
        }
      }
    }
    for (let b = n; b < 2 * n; b++) {
      if (label[b] === 2 && blossomparent[b] === -1 && blossombase[b] >= 0 && dualvar[b] < delta) {
        delta = dualvar[b];
        deltatype = 4;
        this.deltaBlossom = b;
      }
    }
    for (let v = 0; v < n; v++) {
      const l = label[inblossom[v]];
      if (l === 1) dualvar[v] -= delta;
      else if (l === 2) dualvar[v] += delta;
    }
    for (let b = n; b < 2 * n; b++) {
      if (blossombase[b] >= 0 && blossomparent[b] === -1) {
        if (label[b] === 1) dualvar[b] += delta;
        else if (label[b] === 2) dualvar[b] -= delta;
      }
    }
    return deltatype;
  }

  run(): Int32Array {
    const n = this.n;
    const { label, inblossom, blossomparent, blossombase, bestedge, dualvar, allowedge, mate, endpoint } = this;
    for (let stage = 0; stage < n; stage++) {
      label.fill(0);
      bestedge.fill(-1);
      for (let b = n; b < 2 * n; b++) this.blossombestedges[b] = null;
      allowedge.fill(0);
      this.queueLen = 0;
      for (let v = 0; v < n; v++) if (mate[v] === -1 && label[inblossom[v]] === 0) this.assignLabel(v, 1, -1);

      let augmented = false;
      for (;;) {
        while (this.queueLen > 0 && !augmented) augmented = this.scanVertex(this.queue[--this.queueLen]);
        if (augmented) break;

        // No augmenting path under the current duals: make the largest safe dual change.
        const deltatype = this.changeDuals();
        const deltaedge = this.deltaEdge;
        if (deltatype === 1) break;
        if (deltatype === 2) {
          allowedge[deltaedge] = 1;
          let i = endpoint[2 * deltaedge];
          if (label[inblossom[i]] === 0) i = endpoint[2 * deltaedge + 1];
          this.queue[this.queueLen++] = i;
        } else if (deltatype === 3) {
          allowedge[deltaedge] = 1;
          this.queue[this.queueLen++] = endpoint[2 * deltaedge];
        } else {
          this.expandBlossom(this.deltaBlossom, false);
        }
      }
      if (!augmented) break;
      for (let b = n; b < 2 * n; b++) {
        if (blossomparent[b] === -1 && blossombase[b] >= 0 && label[b] === 1 && dualvar[b] === 0) this.expandBlossom(b, true);
      }
    }
    return mate;
  }
}
