// The CPU work of a cycle's recall estimate, run in a scoring thread. gatherSample puts the
// sampled nodes of the cycle's pages into one page (gatherNodes.ts); sampleTopK computes their
// exact top-K against a batch of the cycle's pages with the flat strategy, the group's scorer and
// the build jobs' neighbour ids and top-K, and counts the batch's nodes on each bipartite side,
// which the count of possible pairs needs.
import { SIDE_LEFT, SIDE_RIGHT } from '../matching/encodedPage.ts';
import { gatherNodes } from '../matching/gatherNodes.ts';
import { deserializePage, serializePage } from '../matching/pageCodec.ts';
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

/** An encoded page with the neighbour id of each of its nodes. */
export interface PageWithIds {
  page: Uint8Array;
  ids: Int32Array;
}

/** The sampled nodes (mask 1) of each page, as one page with their neighbour ids. */
export function gatherSample(input: { pages: Array<PageWithIds & { mask: Uint8Array }> }): PageWithIds {
  const parts = input.pages.map((p) => {
    const nodes: number[] = [];
    p.mask.forEach((m, i) => { if (m) nodes.push(i); });
    return { page: deserializePage(p.page), nodes, ids: p.ids };
  });
  const ids = Int32Array.from(parts.flatMap((p) => p.nodes.map((i) => p.ids[i])));
  return { page: serializePage(gatherNodes(parts)), ids };
}

export interface SampleTopKInput {
  scorer: { name: string; options: Record<string, unknown> };
  bipartite: boolean;
  k: number;
  /** the gathered sample */
  rows: PageWithIds;
  columns: PageWithIds[];
  /** the top-K of the earlier batches */
  state?: SampleState;
}

export interface SampleTopKOutput {
  state: SampleState;
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
  const page = deserializePage(input.rows.page);
  const topK = new TopK(page.size, input.k);
  if (input.state) {
    topK.score.set(input.state.score);
    topK.id.set(input.state.id);
    topK.count.set(input.state.count);
  }
  const runs: Array<[SideFilter, SideFilter]> = input.bipartite ? [['left', 'right'], ['right', 'left']] : [['all', 'all']];
  for (const [rowFilter, colFilter] of runs) {
    flatRows(scorer, { page, ids: input.rows.ids, filter: rowFilter }, columns.map((c) => ({ ...c, filter: colFilter })), topK);
  }
  return { state: { score: topK.score, id: topK.id, count: topK.count }, left, right };
}
