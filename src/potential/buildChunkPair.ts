// build-chunk-pair: the top-K of one row page's nodes. An N page (new nodes) is scored against
// every page of the cycle; an E page (nodes of earlier cycles, incremental runs) against the N
// pages only — new × new and new × existing, never existing × existing again. The scoring runs
// in a worker thread; column pages are loaded and scored in batches that fit the memory budget
// (out of core for groups larger than it). The row nodes' final top-K is written into
// potential_matches by this job (pageMatches.ts), replacing that of an earlier attempt.
//
// Why a whole row page per job rather than one block i × j: a node's top-K then comes out of
// one job complete and can be written at once, K rows per node. With i × j blocks each block
// would stage a partial top-K per node and per block (K × pages per node, 50× more rows at
// 50,000 nodes) for a flush to merge. The price is that the flat strategy scores each unordered pair
// twice (once per direction); the metadata strategy scores candidates per direction anyway.
import { UnrecoverableError } from 'bullmq';
import { getGroup, groupConfiguration } from '../groups/catalog.ts';
import { withTransaction } from '../shared/db.ts';
import { lapTimer } from '../shared/lapTimer.ts';
import { metrics } from '../shared/metrics.ts';
import type { Processor, ThreadSpec } from '../shared/processor.ts';
import { assertCycleCurrent, runCycleJob } from './cycleJob.ts';
import { listPages, pageKey } from './cycleStore.ts';
import { batchesWithin, columnBatchBytes, columnPages, neighbourIds } from './cyclePlan.ts';
import { writePageMatches, type PageEdge } from './pageMatches.ts';
import { PageCache } from './pageCache.ts';
import { groupSettings } from '../groups/groupSettings.ts';
import type { ScoreRowsInput, ScoreRowsOutput, TopKState } from './scoringTask.ts';

const MIB = 1 << 20;

/** Scoring runs on MATCHING_SCORING_THREADS threads per worker process (scoringTask.ts). */
export const SCORING_THREADS: ThreadSpec = { module: new URL('./scoringTask.ts', import.meta.url), size: (cfg) => cfg.scoringThreads };

// Per process: encoded pages (half the memory budget) and the cycle's neighbour ids, which every
// build job of a cycle needs and which do not change once the cycle is planned.
let pageCache: PageCache | undefined;
const idsOfCycle = new Map<string, ReturnType<typeof neighbourIds>>();

/**
 * The row nodes' top-K as edges in the unique key's order (writePageMatches numbers them in it):
 * neighbour ids are ranks in code-point order of reference ids, so rows by their id, and each
 * row's edges by the neighbour's id.
 */
function* edgesOf(state: TopKState, k: number, rowRefs: string[], rowIds: Int32Array, referenceOfId: string[]): Generator<PageEdge> {
  const rows = Array.from(rowRefs.keys()).sort((a, b) => rowIds[a] - rowIds[b]);
  const order: number[] = [];
  for (const x of rows) {
    order.length = 0;
    for (let j = 0; j < state.count[x]; j++) order.push(x * k + j);
    order.sort((a, b) => state.id[a] - state.id[b]);
    for (const e of order) yield { referenceId: rowRefs[x], matchedReferenceId: referenceOfId[state.id[e]], score: state.score[e] };
  }
}

export const buildChunkPair: Processor<'build-chunk-pair'> = (job, deps) => runCycleJob(job, deps, async (cycle) => {
  const { cfg, pool } = deps;
  const { kind, i } = job.data;
  const t0 = process.hrtime.bigint();
  const group = await getGroup(pool, cycle.groupId);
  if (!group) throw new UnrecoverableError(`group ${cycle.groupId} was deleted`);
  const settings = groupSettings(cfg, group, await groupConfiguration(pool, group.id));
  const pages = await listPages(pool, cycle.cycleId);
  const rows = pages.find((p) => p.kind === kind && p.index === i);
  if (!rows) throw new UnrecoverableError(`row page ${kind}${i} of cycle ${cycle.cycleId} is missing from staging`);
  const columns = columnPages(kind, pages);
  let named = idsOfCycle.get(cycle.cycleId);
  if (!named) {
    named = neighbourIds(pages);
    idsOfCycle.clear(); // one cycle's ids at a time: they are the size of the group
    idsOfCycle.set(cycle.cycleId, named);
  }
  const { ids, referenceOfId } = named;
  const rowIds = ids.get(pageKey(kind, i))!;
  pageCache ??= new PageCache((cfg.maxMemoryMb * MIB) / 2);
  const batches = batchesWithin(columns, columnBatchBytes(cfg.maxMemoryMb, cfg.workerConcurrency));
  const rowsData = (await pageCache.get(pool, cycle.cycleId, [rows])).get(pageKey(kind, i))!;
  let state: TopKState | undefined;
  let pairs = 0;
  let offered = 0;
  const { ms, lap } = lapTimer(['load', 'score', 'stage'] as const);
  lap('load');
  for (const batch of batches) {
    const data = await pageCache.get(pool, cycle.cycleId, batch);
    lap('load');
    const input: ScoreRowsInput = {
      scorer: settings.scorer,
      candidates: settings.candidates,
      bipartite: settings.partition !== null,
      rowsPage: rowsData,
      rowIds,
      columns: batch.map((p) => ({ page: data.get(pageKey(p.kind, p.index))!, ids: ids.get(pageKey(p.kind, p.index))! })),
      k: settings.topK,
      state,
    };
    const out = await deps.threads.run<ScoreRowsOutput>('scoreRows', input);
    state = out.state;
    pairs += out.pairs;
    offered += out.offered;
    lap('score');
  }
  const staged = await withTransaction(pool, async (client) => {
    await assertCycleCurrent(client, cycle);
    await client.query(`SELECT set_config('work_mem', $1, true)`, [cfg.pageWriteWorkMem]);
    const edges = state ? edgesOf(state, settings.topK, rows.referenceIds, rowIds, referenceOfId) : [];
    return writePageMatches(client, cycle, { kind, index: i }, rows.referenceIds, edges, settings.topK);
  });
  lap('stage');
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  metrics.batchMatchesTotalDuration.observe({ groupId: cycle.groupId }, seconds);
  const matchType = settings.partition ? 'BIPARTITE' : 'SYMMETRIC';
  let kept = 0;
  if (state) for (let x = 0; x < state.count.length; x++) kept += state.count[x];
  // generated: every edge above the threshold; dropped: those the row's top-K evicted
  metrics.potentialMatchesGenerated.inc({ groupId: cycle.groupId, match_type: matchType }, offered);
  metrics.matchDrops.inc({ groupId: cycle.groupId, reason: 'top_k_eviction', match_type: matchType }, offered - kept);
  metrics.potentialMatchesSaved.inc({ groupId: cycle.groupId }, staged);
  return { pairs, edges: staged, batches: batches.length, seconds, ms };
});
