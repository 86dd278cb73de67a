// The CPU work of a cycle's recall estimate, run in a scoring thread: the exact flat top-K of a
// sample of the cycle's nodes (their row pages, with a mask of the sampled nodes) against a batch
// of the cycle's pages, with the group's scorer and the same neighbour ids and top-K as the build
// jobs; and the bipartite sides of the batch's nodes, which the count of possible pairs needs.
import { SIDE_LEFT, SIDE_RIGHT } from '../matching/encodedPage.ts';
import { deserializePage } from '../matching/pageCodec.ts';
import type { SideFilter } from '../matching/pageSide.ts';
import { flatRows } from '../matching/rowScoring.ts';
import { createScorer } from '../matching/scorerRegistry.ts';
import { TopK } from '../matching/topK.ts';

/** A top-K heap's arrays (scoringTask.ts TopKState). */
export interface SampleState {
  score: Float64Array;
  id: Int32Array;
  count: Int32Array;
}

export interface SampleRows {
  page: Uint8Array;
  ids: Int32Array;
  /** 1 for the sampled nodes of the page */
  mask: Uint8Array;
  /** the top-K of the earlier batches */
  state?: SampleState;
}

export interface SampleTopKInput {
  scorer: { name: string; options: Record<string, unknown> };
  bipartite: boolean;
  k: number;
  rows: SampleRows[];
  /** encoded pages with the neighbour id of each of their nodes */
  columns: Array<{ page: Uint8Array; ids: Int32Array }>;
}

export interface SampleTopKOutput {
  /** per row page: its top-K so far (k entries a node of the page) */
  states: SampleState[];
  /** nodes of the batch's column pages on the left and on the right side */
  left: number;
  right: number;
}

export function sampleTopK(input: SampleTopKInput): SampleTopKOutput {
  const scorer = createScorer(input.scorer.name, input.scorer.options);
  const columns = input.columns.map((c) => ({ page: deserializePage(c.page), ids: c.ids }));
  let left = 0;
  let right = 0;
  for (const c of columns) for (const s of c.page.side) if (s === SIDE_LEFT) left++; else if (s === SIDE_RIGHT) right++;
  const runs: Array<[SideFilter, SideFilter]> = input.bipartite ? [['left', 'right'], ['right', 'left']] : [['all', 'all']];
  const states = input.rows.map((r) => {
    const page = deserializePage(r.page);
    const topK = new TopK(page.size, input.k);
    if (r.state) {
      topK.score.set(r.state.score);
      topK.id.set(r.state.id);
      topK.count.set(r.state.count);
    }
    for (const [rowFilter, colFilter] of runs) {
      flatRows(scorer, { page, ids: r.ids, filter: rowFilter, only: r.mask }, columns.map((c) => ({ ...c, filter: colFilter })), topK);
    }
    return { score: topK.score, id: topK.id, count: topK.count };
  });
  return { states, left, right };
}
