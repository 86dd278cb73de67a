// Match quality of a potential cycle, recorded by finalize-group (potential_cycle_quality, one row
// per cycle): nodes, pairs scored against all possible pairs (the reduction ratio), edges written,
// the wall time of each phase, and a recall estimate.
//
// The recall estimate: a seeded random sample of the cycle's nodes (QUALITY_RECALL_SAMPLE, the
// seed drawn from the cycle id, so a retry samples the same nodes), gathered into one page, is
// scored against every page of the cycle with the flat strategy — exhaustively, with the group's
// scorer, neighbour ids and top-K — and the sampled nodes' exact top-K are compared with the rows the cycle left in
// potential_matches. Scores are discrete and many neighbours tie, so which of the tied ones make a
// top-K is arbitrary: a kept row counts when its score is at least the lowest of the node's exact
// top-K (τ), and a node recalls min(|exact top-K|, kept rows scoring ≥ τ) entries (kept scores are
// exact, so such a row is as good as an exact one). recall = Σ recalled / Σ |exact top-K|. It runs
// while the cycle's pages are still staged (finalize deletes them), in a scoring thread.
// With the flat strategy it is 1 unless something is wrong; with LSH it measures what the
// blocking missed.
import type { GroupSettings } from '../groups/groupSettings.ts';
import { hashString } from '../matching/hash32.ts';
import { sampleIndices } from '../matching/sample.ts';
import type { Config } from '../shared/config.ts';
import type { PoolClient } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import { metrics } from '../shared/metrics.ts';
import type { WorkerDeps } from '../shared/processor.ts';
import { listPages, loadPageData, pageKey, type CycleRow, type PageInfo } from './cycleStore.ts';
import { batchesWithin, columnBatchBytes, neighbourIds } from './cyclePlan.ts';
import type { FlushResult } from './flushGroup.ts';
import { heapList } from './pageLists.ts';
import type { PageWithIds, SampleState, SampleTopKInput, SampleTopKOutput } from './recallTask.ts';

export interface RecallEstimate {
  /** sampled nodes */
  sample: number;
  /** entries of their exact top-K, and how many of those the cycle kept */
  expected: number;
  found: number;
  /** found / expected; null when nothing was expected */
  recall: number | null;
  ms: number;
}

export interface CycleMeasure {
  /** nodes of the cycle's pages (the group's nodes) */
  nodes: number;
  /** directed pairs of the group: n(n-1), or left × right both ways when it is split */
  pairsPossible: number | null;
  recall: RecallEstimate | null;
}

type Deps = Pick<WorkerDeps, 'cfg' | 'pool' | 'threads' | 'log'>;

/** The pages holding sampled nodes, each with a mask of them. */
function sampleByPage(pages: PageInfo[], sample: Int32Array): Array<{ page: PageInfo; mask: Uint8Array }> {
  const out: Array<{ page: PageInfo; mask: Uint8Array }> = [];
  let s = 0;
  let offset = 0;
  for (const page of pages) {
    const end = offset + page.nodeCount;
    let mask: Uint8Array | null = null;
    for (; s < sample.length && sample[s] < end; s++) {
      mask ??= new Uint8Array(page.nodeCount);
      mask[sample[s] - offset] = 1;
    }
    if (mask) out.push({ page, mask });
    offset = end;
  }
  return out;
}

/**
 * What finalize-group records beside its counts: the group's size, its possible pairs and the
 * recall estimate. Reads the cycle's staged pages: call it before they are deleted.
 */
export async function measureCycle(deps: Deps, cycle: CycleRow, settings: GroupSettings): Promise<CycleMeasure> {
  const { cfg, pool } = deps;
  const t0 = Date.now();
  const pages = (await listPages(pool, cycle.cycleId)).filter((p) => p.nodeCount > 0);
  const nodes = pages.reduce((n, p) => n + p.nodeCount, 0);
  const split = settings.partition !== null;
  const sample = sampleIndices(nodes, cfg.qualityRecallSample, hashString(cycle.cycleId));
  if (sample.length === 0 && !split) return { nodes, pairsPossible: nodes * (nodes - 1), recall: null };
  const named = neighbourIds(pages);
  const idsOf = (p: PageInfo) => named.ids.get(pageKey(p.kind, p.index))!;
  const sampled = sampleByPage(pages, sample);
  const sampledData = await loadPageData(pool, cycle.cycleId, sampled.map((r) => r.page));
  // the sampled nodes as one row page (an empty one when nothing is sampled: only the sides are counted)
  const rows = await deps.threads.run<PageWithIds>('gatherSample', {
    pages: sampled.map((r) => ({ page: sampledData.get(pageKey(r.page.kind, r.page.index))!, ids: idsOf(r.page), mask: r.mask })),
  });
  sampledData.clear();
  let state: SampleState | undefined;
  let left = 0;
  let right = 0;
  for (const batch of batchesWithin(pages, columnBatchBytes(cfg.maxMemoryMb, cfg.workerConcurrency))) {
    const data = await loadPageData(pool, cycle.cycleId, batch);
    const input: SampleTopKInput = {
      scorer: settings.scorer, bipartite: split, k: settings.topK, rows, state,
      columns: batch.map((p) => ({ page: data.get(pageKey(p.kind, p.index))!, ids: idsOf(p) })),
    };
    const out = await deps.threads.run<SampleTopKOutput>('sampleTopK', input);
    state = out.state;
    left += out.left;
    right += out.right;
  }
  const pairsPossible = split ? 2 * left * right : nodes * (nodes - 1);
  if (sample.length === 0) return { nodes, pairsPossible, recall: null };
  const refs = Array.from(rows.ids, (id) => named.referenceOfId[id]);
  const { rows: kept } = await pool.query<{ reference_id: string; compatibility_score: number }>(
    'SELECT reference_id, compatibility_score FROM potential_matches WHERE group_id = $1 AND reference_id = ANY($2::varchar[])', [cycle.groupId, refs]);
  const keptScores = new Map<string, number[]>();
  for (const k of kept) {
    const list = keptScores.get(k.reference_id) ?? [];
    list.push(Number(k.compatibility_score));
    keptScores.set(k.reference_id, list);
  }
  let expected = 0;
  let found = 0;
  refs.forEach((ref, x) => {
    const exact = heapList(state, settings.topK, x);
    if (exact.ids.length === 0) return;
    const tau = exact.scores[exact.scores.length - 1];
    const hits = (keptScores.get(ref) ?? []).filter((sc) => sc >= tau).length;
    expected += exact.ids.length;
    found += Math.min(hits, exact.ids.length);
  });
  return { nodes, pairsPossible, recall: { sample: sample.length, expected, found, recall: expected ? found / expected : null, ms: Date.now() - t0 } };
}

export interface QualityRow {
  nodes: number;
  newNodes: number;
  pairsScored: number;
  pairsPossible: number | null;
  edgesWritten: number;
  edges: number;
  ms: { fetch: number | null; build: number | null; flush: number | null; finalize: number };
  recall: RecallEstimate | null;
}

/** 1 - scored / possible; flat scoring counts each node's comparison with itself, so it can come out just below 0: 0 then. */
export function reductionRatio(scored: number, possible: number | null): number | null {
  return possible ? Math.max(0, 1 - scored / possible) : null;
}

/** The quality row of a cycle from what its jobs measured. */
export function qualityRow(cycle: CycleRow, m: CycleMeasure, flushed: FlushResult | undefined, counts: { newNodes: number; edges: number },
  finalizeStartedAt: number): QualityRow {
  const b = flushed?.build;
  const span = (from: number | null | undefined, to: number | null | undefined) => (from != null && to != null ? Math.max(0, to - from) : null);
  return {
    nodes: m.nodes, newNodes: counts.newNodes, pairsScored: b?.pairs ?? 0, pairsPossible: m.pairsPossible, edgesWritten: b?.written ?? 0, edges: counts.edges,
    ms: {
      fetch: span(cycle.startedAt.getTime(), b?.startedAt), build: span(b?.startedAt, b?.finishedAt),
      flush: span(flushed?.startedAt, flushed?.finishedAt), finalize: Date.now() - finalizeStartedAt,
    },
    recall: m.recall,
  };
}

/** Writes the cycle's row, once: a finalize run again finds it there. */
export async function recordCycleQuality(c: PoolClient, cycle: CycleRow, strategy: string | null, q: QualityRow): Promise<void> {
  await c.query(
    `INSERT INTO potential_cycle_quality (cycle_id, group_id, domain_id, mode, strategy, started_at, nodes, new_nodes, pairs_scored, pairs_possible,
       reduction_ratio, edges_written, edges, fetch_ms, build_ms, flush_ms, finalize_ms, recall_sample, recall_expected, recall_found, recall, recall_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
     ON CONFLICT (cycle_id) DO NOTHING`,
    [cycle.cycleId, cycle.groupId, cycle.domainId, cycle.mode, strategy, cycle.startedAt, q.nodes, q.newNodes, q.pairsScored, q.pairsPossible ?? 0,
      reductionRatio(q.pairsScored, q.pairsPossible), q.edgesWritten, q.edges, q.ms.fetch, q.ms.build, q.ms.flush, q.ms.finalize,
      q.recall?.sample ?? 0, q.recall?.expected ?? null, q.recall?.found ?? null, q.recall?.recall ?? null, q.recall?.ms ?? null]);
}

/** After the commit: the group's gauges, and a warning when the recall estimate is below QUALITY_RECALL_WARN_BELOW. */
export function reportQuality(cfg: Config, log: Logger, cycle: CycleRow, q: QualityRow): void {
  const ratio = reductionRatio(q.pairsScored, q.pairsPossible);
  if (ratio !== null) metrics.reductionRatio.set({ groupId: cycle.groupId }, ratio);
  const recall = q.recall?.recall;
  if (recall === undefined || recall === null) return;
  metrics.recallEstimate.set({ groupId: cycle.groupId }, recall);
  if (recall < cfg.qualityRecallWarnBelow) {
    log.warn({ recall, sample: q.recall!.sample, warnBelow: cfg.qualityRecallWarnBelow },
      'the cycle kept less of its sample\'s exact top-K than QUALITY_RECALL_WARN_BELOW: its candidate strategy misses matches (see the group page)');
  }
}
