// The CPU work of a build-chunk-pair job, run in a worker thread (ThreadPool) so that the job's
// event loop keeps renewing its BullMQ lock. One call scores a row page against a batch of column
// pages and returns the row page's top-K so far; a job whose column pages exceed its memory
// budget calls it once per batch, passing the top-K back in.
import type { SideFilter } from '../matching/pageSide.ts';
import type { CandidateCut } from '../matching/lshStrategy.ts';
import { flatRows, lshCount, lshRank, lshRows, type PageSpec } from '../matching/rowScoring.ts';
import { deserializePage } from '../matching/pageCodec.ts';
import { createScorer } from '../matching/scorerRegistry.ts';
import { TopK } from '../matching/topK.ts';

export interface ColumnInput {
  page: Uint8Array;
  /** neighbour id of each node of the page (its rank in reference-id order) */
  ids: Int32Array;
}

export interface ScoreRowsInput {
  scorer: { name: string; options: Record<string, unknown> };
  candidates: 'flat' | 'metadata';
  bipartite: boolean;
  rowsPage: Uint8Array;
  rowIds: Int32Array;
  columns: ColumnInput[];
  k: number;
  /** the top-K of the earlier batches */
  state?: TopKState;
  /** 1 for the row nodes to score (default: all) */
  rowMask?: Uint8Array;
  /** the candidate limit's cut of the capped rows (metadata strategy) */
  cut?: CandidateCut;
}

export interface TopKState {
  score: Float64Array;
  id: Int32Array;
  count: Int32Array;
}

export interface ScoreRowsOutput {
  state: TopKState;
  pairs: number;
  collisions: number;
  /** edges scored above the threshold and offered to the top-K (the kept ones and the evicted ones) */
  offered: number;
}

/** A top-K that counts its offers: offered − kept is what top-K eviction dropped (match_drops_total). */
class CountingTopK extends TopK {
  offered = 0;
  override offer(row: number, id: number, s: number): void {
    this.offered++;
    super.offer(row, id, s);
  }
}

const runsOf = (bipartite: boolean): Array<[SideFilter, SideFilter]> => (bipartite ? [['left', 'right'], ['right', 'left']] : [['all', 'all']]);

export function scoreRows(input: ScoreRowsInput): ScoreRowsOutput {
  const scorer = createScorer(input.scorer.name, input.scorer.options);
  const rows = deserializePage(input.rowsPage);
  const topK = new CountingTopK(rows.size, input.k);
  if (input.state) {
    topK.score.set(input.state.score);
    topK.id.set(input.state.id);
    topK.count.set(input.state.count);
  }
  const columns = input.columns.map((c) => ({ page: deserializePage(c.page), ids: c.ids }));
  let pairs = 0;
  let collisions = 0;
  for (const [rowFilter, colFilter] of runsOf(input.bipartite)) {
    const rowSpec = { page: rows, ids: input.rowIds, filter: rowFilter, only: input.rowMask };
    const colSpecs = columns.map((c) => ({ ...c, filter: colFilter }));
    const r = input.candidates === 'metadata' ? lshRows(scorer, rowSpec, colSpecs, topK, input.cut) : flatRows(scorer, rowSpec, colSpecs, topK);
    pairs += r.pairs;
    collisions += r.collisions;
  }
  return { state: { score: topK.score, id: topK.id, count: topK.count }, pairs, collisions, offered: topK.offered };
}

// the recall estimate of finalize-group runs on these threads too
export { gatherSample, sampleTopK } from './recallTask.ts';

/** A row page against a batch of column pages, for the candidate limit's passes (metadata strategy). */
export interface CandidatesInput {
  bipartite: boolean;
  rowsPage: Uint8Array;
  rowIds: Int32Array;
  columns: ColumnInput[];
  /** 1 for the row nodes to take (default: all) */
  rowMask?: Uint8Array;
}

function eachRun(input: CandidatesInput, visit: (rows: PageSpec, columns: PageSpec[]) => void): number {
  const rows = deserializePage(input.rowsPage);
  const columns = input.columns.map((c) => ({ page: deserializePage(c.page), ids: c.ids }));
  for (const [rowFilter, colFilter] of runsOf(input.bipartite)) {
    visit({ page: rows, ids: input.rowIds, filter: rowFilter, only: input.rowMask }, columns.map((c) => ({ ...c, filter: colFilter })));
  }
  return rows.size;
}

/** Counts each row node's LSH candidates among the columns, added to `counts` (one entry per row page node). */
export function countCandidates(input: CandidatesInput & { counts?: Int32Array }): { counts: Int32Array } {
  let counts = input.counts;
  eachRun(input, (rows, columns) => {
    counts ??= new Int32Array(rows.page.size);
    lshCount(rows, columns, counts);
  });
  return { counts: counts! };
}

/**
 * Ranks the candidates of the rows with slot[a] ≥ 0 (the capped rows, also in rowMask): keeps each
 * one's best `limit` by rank key, carried across batches in `state` (one row per slot).
 */
export function rankCandidates(input: CandidatesInput & { limit: number; slots: number; slot: Int32Array; state?: TopKState }): { state: TopKState } {
  const keys = new TopK(input.slots, input.limit);
  if (input.state) {
    keys.score.set(input.state.score);
    keys.id.set(input.state.id);
    keys.count.set(input.state.count);
  }
  eachRun(input, (rows, columns) => lshRank(rows, columns, keys, input.slot));
  return { state: { score: keys.score, id: keys.id, count: keys.count } };
}
