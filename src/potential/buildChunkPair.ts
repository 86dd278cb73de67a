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
import { compareCodePoints } from '../matching/encodedPage.ts';
import { getGroup, groupConfiguration } from '../shared/catalog.ts';
import { withTransaction } from '../shared/db.ts';
import { lapTimer } from '../shared/lapTimer.ts';
import { metrics } from '../shared/metrics.ts';
import type { Processor } from '../workers/processor.ts';
import { runCycleJob } from './cycleJob.ts';
import { listPages, pageKey, type PageInfo } from './cycleStore.ts';
import { writePageMatches, type PageEdge } from './pageMatches.ts';
import { checkFencedWriteShared } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { PageCache } from './pageCache.ts';
import { groupSettings } from './groupSettings.ts';
import type { ScoreRowsInput, ScoreRowsOutput, TopKState } from './scoringTask.ts';
import { scoringPool } from './scoringPool.ts';

const MIB = 1 << 20;
const SURROGATE = /[\ud800-\udfff]/;

// Per process: encoded pages (half the memory budget) and the cycle's neighbour ids, which every
// build job of a cycle needs and which do not change once the cycle is planned.
let pageCache: PageCache | undefined;
const idsOfCycle = new Map<string, ReturnType<typeof neighbourIds>>();

/**
 * Neighbour ids: each node's rank in code-point order of reference ids over the whole cycle, so
 * that equal scores are broken by reference id — the order flush-group's SQL uses
 * (matched_reference_id COLLATE "C").
 */
export function neighbourIds(pages: PageInfo[]): { ids: Map<string, Int32Array>; referenceOfId: string[] } {
  const all: Array<[string, number, number]> = [];
  let surrogates = false;
  pages.forEach((p, pi) => p.referenceIds.forEach((r, i) => {
    all.push([r, pi, i]);
    surrogates ||= SURROGATE.test(r);
  }));
  // Without surrogate pairs, UTF-16 order (the built-in comparison, much faster) is code-point order.
  if (surrogates) all.sort((x, y) => compareCodePoints(x[0], y[0]));
  else all.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const ids = new Map<string, Int32Array>();
  const arrays = pages.map((p) => {
    const a = new Int32Array(p.referenceIds.length);
    ids.set(pageKey(p.kind, p.index), a);
    return a;
  });
  all.forEach(([, pi, i], rank) => (arrays[pi][i] = rank));
  return { ids, referenceOfId: all.map((x) => x[0]) };
}

/** Consecutive runs of pages whose encoded size stays within `bytes` (at least one page each). */
export function batchesWithin<T extends { bytes: number }>(pages: T[], bytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let size = 0;
  for (const p of pages) {
    if (cur.length && size + p.bytes > bytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(p);
    size += p.bytes;
  }
  if (cur.length) out.push(cur);
  return out;
}

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
  // (a page whose nodes were all deleted since the plan is stored empty: nothing to score)
  const columns = pages.filter((p) => p.nodeCount > 0 && (kind === 'N' || p.kind === 'N'));
  let named = idsOfCycle.get(cycle.cycleId);
  if (!named) {
    named = neighbourIds(pages);
    idsOfCycle.clear(); // one cycle's ids at a time: they are the size of the group
    idsOfCycle.set(cycle.cycleId, named);
  }
  const { ids, referenceOfId } = named;
  const rowIds = ids.get(pageKey(kind, i))!;
  pageCache ??= new PageCache((cfg.maxMemoryMb * MIB) / 2);
  // A quarter of the budget per concurrent job for the encoded column pages of one batch: decoded
  // pages, the LSH index and the top-K take about as much again.
  const budget = Math.max(1, Math.floor((cfg.maxMemoryMb * MIB) / (4 * cfg.workerConcurrency)));
  const batches = batchesWithin(columns, budget);
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
    const out = await scoringPool(cfg.scoringThreads).run<ScoreRowsOutput>('scoreRows', input);
    state = out.state;
    pairs += out.pairs;
    offered += out.offered;
    lap('score');
  }
  const staged = await withTransaction(pool, async (client) => {
    if (!(await checkFencedWriteShared(client, RESOURCE.groupCycle(cycle.groupId), cycle.lockToken))) {
      throw new UnrecoverableError(`cycle ${cycle.cycleId} was superseded by a newer cycle of the group (stale lock token ${cycle.lockToken})`);
    }
    await client.query(`SELECT set_config('work_mem', $1, true)`, [cfg.pageWriteWorkMem]);
    return writePageMatches(client, cycle, { kind, index: i }, rows.referenceIds, state ? edgesOf(state, settings.topK, rows.referenceIds, rowIds, referenceOfId) : [], settings.topK);
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
