// The metadata strategy: MinHash LSH banding picks candidate pairs, which are then
// scored exactly by the group's scorer. Band keys are computed once per node when its page is
// encoded (minhash.ts); here we only match them.
//
// For one side of "row" nodes (whose top-K is being computed) against any number of column pages:
//   1. index the rows' band keys once in an open-addressing hash table keyed by (band, key);
//   2. for every column node, look up each of its band keys; the rows it collides with in at
//      least one band are its candidates;
//   3. score the column node against its candidate rows at once (scoreRow) and offer the edges
//      above the threshold to the rows' top-K.
// With a candidate limit, two passes over the same collisions come first: one counts each
// row's candidates, one ranks the candidates of the rows over the limit (collisionKey).
// Nothing is stored between column pages, so a row job streams the column pages one at a time
// (out of core) and memory is the index plus two pages. The work is proportional to the band
// collisions, which the S-curve keeps to a small share of all pairs for dissimilar nodes.
import type { EncodedPage, PageLsh } from './encodedPage.ts';
import { fmix32, hashString } from './hash32.ts';
import type { LshParams } from './minhash.ts';
import type { PairScorer } from './pairScorer.ts';
import type { PageSide } from './pageSide.ts';
import type { TopK } from './topK.ts';

/**
 * MinHash rows per band for `bands` bands whose S-curve 1-(1-s^r)^b is centred on similarity t:
 * the midpoint (1/b)^(1/r) = t gives r = ln(b) / ln(1/t), rounded, at least 1.
 */
export function rowsPerBand(bands: number, threshold: number): number {
  if (!(threshold > 0 && threshold < 1)) throw new Error('LSH similarity threshold must be in (0, 1)');
  return Math.max(1, Math.round(Math.log(bands) / Math.log(1 / threshold)));
}

/** Probability that two nodes of MinHash similarity s become candidates. */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

function hashBandKey(band: number, key: number): number {
  return fmix32((key ^ Math.imul(band + 1, 0x9e3779b1)) >>> 0);
}

function sameParams(x: LshParams, y: LshParams): boolean {
  return x.bands === y.bands && x.rows === y.rows && x.seed === y.seed && x.numericTolerance === y.numericTolerance;
}

export interface LshStats {
  pairs: number;
  collisions: number;
}

const TWO_32 = 2 ** 32;

/**
 * The candidate limit: a row node colliding with more than `limit` nodes is scored against its
 * `limit` best colliders only — most colliding bands first, then the smaller hash of the pair
 * (stable across cycles: it hashes the two reference ids), then the smaller neighbour id. The key
 * depends only on the pair, so the chosen set is the same in every job and run; the set does depend
 * on the node's other colliders, which is why incremental cycles score capped nodes against every
 * node again (pageRanking.ts). This is the rank key of a colliding pair (higher first).
 */
export function collisionKey(bandsHit: number, rowHash: number, colHash: number): number {
  return bandsHit * TWO_32 + (0xffffffff - fmix32((rowHash ^ colHash) >>> 0));
}

/**
 * Per row page node: the worst collider a capped row still takes, as (key, neighbour id); NaN
 * keys mark rows without a cap. A collider (k, id) is taken when k > key or (k = key and id ≤ cutId).
 */
export interface CandidateCut {
  key: Float64Array;
  id: Int32Array;
}

/** Per-node hashes of a page's reference ids (collisionKey's inputs). */
export function referenceHashes(page: EncodedPage): Uint32Array {
  const out = new Uint32Array(page.size);
  for (let i = 0; i < page.size; i++) out[i] = hashString(page.referenceIds[i]);
  return out;
}

export class LshRowIndex {
  private readonly bands: number;
  private readonly entryKey: Uint32Array;
  private readonly next: Int32Array;
  private readonly table: Int32Array;
  private readonly mask: number;
  /** bands a touched row shares with the current column node (0 for the others) */
  private readonly hits: Uint16Array;
  private readonly touched: Int32Array;
  private readonly touchedNodes: Int32Array;
  private readonly scores: Float64Array;
  private rowHashes: Uint32Array | undefined;
  /** band lookups that found a row, in the last traversal */
  private collisions = 0;

  constructor(private readonly rows: PageSide) {
    const lsh = rows.page.lsh;
    if (!lsh) throw new Error('the metadata strategy needs pages encoded with LSH parameters');
    const bands = (this.bands = lsh.params.bands);
    if (bands > 0xffff) throw new Error('LSH with more than 65,535 bands');
    const n = rows.nodes.length;
    const entries = n * bands;
    let size = 1;
    while (size < 2 * entries) size <<= 1;
    const mask = (this.mask = size - 1);
    const table = (this.table = new Int32Array(size));
    const entryKey = (this.entryKey = new Uint32Array(entries));
    const next = (this.next = new Int32Array(entries).fill(-1));
    for (let x = 0; x < n; x++) {
      const node = rows.nodes[x];
      if (!lsh.hasTokens[node]) continue;
      for (let b = 0; b < bands; b++) {
        const e = x * bands + b;
        const key = lsh.bandKeys[node * bands + b];
        entryKey[e] = key;
        let slot = hashBandKey(b, key) & mask;
        for (;;) {
          const head = table[slot] - 1;
          if (head < 0) {
            table[slot] = e + 1;
            break;
          }
          if (head % bands === b && entryKey[head] === key) {
            next[e] = next[head];
            next[head] = e;
            break;
          }
          slot = (slot + 1) & mask;
        }
      }
    }
    this.hits = new Uint16Array(n);
    this.touched = new Int32Array(n);
    this.touchedNodes = new Int32Array(n);
    this.scores = new Float64Array(n);
  }

  private checkColumns(cols: PageSide): PageLsh {
    const lsh = cols.page.lsh;
    if (!lsh || !sameParams(lsh.params, this.rows.page.lsh!.params)) throw new Error('column page was encoded with different LSH parameters');
    return lsh;
  }

  /**
   * The rows column node v collides with, into touched[0 … n) (row indices x, in first-hit order),
   * with hits[x] = the bands they share. The caller resets hits[x] to 0 for each.
   */
  private touch(bandKeys: Uint32Array, v: number): number {
    const bands = this.bands;
    const { table, mask, entryKey, next, hits, touched } = this;
    let nTouched = 0;
    for (let b = 0; b < bands; b++) {
      const key = bandKeys[v * bands + b];
      let slot = hashBandKey(b, key) & mask;
      let e = -1;
      for (;;) {
        const head = table[slot] - 1;
        if (head < 0) break;
        if (head % bands === b && entryKey[head] === key) {
          e = head;
          break;
        }
        slot = (slot + 1) & mask;
      }
      for (; e >= 0; e = next[e]) {
        const x = (e / bands) | 0;
        this.collisions++;
        if (hits[x]++ === 0) touched[nTouched++] = x;
      }
    }
    return nTouched;
  }

  /**
   * Adds to counts[a] (a: the row's node index in its page) the column nodes each row collides
   * with: its LSH candidates among these columns.
   */
  countColumns(cols: PageSide, counts: Int32Array): LshStats {
    const lsh = this.checkColumns(cols);
    const { hits, touched } = this;
    const rowIds = this.rows.ids;
    const rowNodes = this.rows.nodes;
    this.collisions = 0;
    let pairs = 0;
    for (let y = 0; y < cols.nodes.length; y++) {
      const v = cols.nodes[y];
      if (!lsh.hasTokens[v]) continue;
      const colId = cols.ids[v];
      const n = this.touch(lsh.bandKeys, v);
      for (let t = 0; t < n; t++) {
        const x = touched[t];
        hits[x] = 0;
        const a = rowNodes[x];
        if (rowIds[a] !== colId) {
          counts[a]++;
          pairs++;
        }
      }
    }
    return { pairs, collisions: this.collisions };
  }

  /**
   * Offers every collider of the rows with slot[a] ≥ 0 to `keys` (row slot[a]) under its rank key
   * (collisionKey) and neighbour id: with K = the limit, keys then holds each row's best colliders.
   */
  rankColumns(cols: PageSide, keys: TopK, slot: Int32Array): LshStats {
    const lsh = this.checkColumns(cols);
    const { hits, touched } = this;
    const rowIds = this.rows.ids;
    const rowNodes = this.rows.nodes;
    const rowHashes = (this.rowHashes ??= referenceHashes(this.rows.page));
    const colHashes = referenceHashes(cols.page);
    this.collisions = 0;
    let pairs = 0;
    for (let y = 0; y < cols.nodes.length; y++) {
      const v = cols.nodes[y];
      if (!lsh.hasTokens[v]) continue;
      const colId = cols.ids[v];
      const n = this.touch(lsh.bandKeys, v);
      for (let t = 0; t < n; t++) {
        const x = touched[t];
        const h = hits[x];
        hits[x] = 0;
        const a = rowNodes[x];
        if (slot[a] < 0 || rowIds[a] === colId) continue;
        keys.offer(slot[a], colId, collisionKey(h, rowHashes[a], colHashes[v]));
        pairs++;
      }
    }
    return { pairs, collisions: this.collisions };
  }

  /**
   * Scores every column node against the rows it collides with and offers the edges to the rows'
   * top-K (directed: only rows receive edges). Each column node must be offered once per index.
   * With `cut`, a capped row scores only the colliders within its cut.
   */
  scoreColumns(scorer: PairScorer, cols: PageSide, topK: TopK, cut?: CandidateCut): LshStats {
    const lsh = this.checkColumns(cols);
    const { hits, touched, touchedNodes, scores } = this;
    const rowIds = this.rows.ids;
    const rowNodes = this.rows.nodes;
    const rowRows = this.rows.rows;
    const colNodes = cols.nodes;
    const colIds = cols.ids;
    const threshold = scorer.threshold;
    const rowHashes = cut ? (this.rowHashes ??= referenceHashes(this.rows.page)) : undefined;
    const colHashes = cut ? referenceHashes(cols.page) : undefined;
    // column node against rows: the scorer is bound (columns, rows); scores are symmetric
    const bound = scorer.bind(cols.page, this.rows.page);
    this.collisions = 0;
    let pairs = 0;
    for (let y = 0; y < colNodes.length; y++) {
      const v = colNodes[y];
      if (!lsh.hasTokens[v]) continue;
      const colId = colIds[v];
      const nTouched = this.touch(lsh.bandKeys, v);
      if (nTouched === 0) continue;
      let m = 0;
      for (let t = 0; t < nTouched; t++) {
        const x = touched[t];
        const h = hits[x];
        hits[x] = 0;
        const a = rowNodes[x];
        if (rowIds[a] === colId) continue;
        if (cut && !Number.isNaN(cut.key[a])) {
          const k = collisionKey(h, rowHashes![a], colHashes![v]);
          if (k < cut.key[a] || (k === cut.key[a] && colId > cut.id[a])) continue;
        }
        touchedNodes[m++] = a;
      }
      if (m === 0) continue;
      const list = touchedNodes.subarray(0, m);
      bound.scoreRow(v, list, scores);
      pairs += m;
      for (let t = 0; t < m; t++) {
        const s = scores[t];
        if (s > threshold) topK.offer(rowRows[list[t]], colId, s);
      }
    }
    return { pairs, collisions: this.collisions };
  }
}

export interface LshSettings {
  tables: number;
  bandsPerTable: number;
  similarityThreshold: number;
  seed: number;
  numericTolerance: number;
}

/** The seed's settings (matching.lsh.*) as MinHash parameters: bands = tables × bands per table. */
export function lshParamsFrom(s: LshSettings): LshParams {
  const bands = s.tables * s.bandsPerTable;
  return { bands, rows: rowsPerBand(bands, s.similarityThreshold), seed: s.seed, numericTolerance: s.numericTolerance };
}
