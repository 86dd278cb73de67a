// build-chunk-pair: the ranked lists (top-K and reserve) of one row page's nodes. An N page (new
// or changed nodes) is scored against every page of the cycle; an E page (unchanged nodes,
// incremental runs) against the N pages only, and merged with what its nodes had stored — only
// the nodes whose top-K that cannot settle exactly are scored against the E pages too
// (pageLists.ts). The scoring runs in a worker thread; column pages are loaded and scored in
// batches that fit the memory budget (out of core for groups larger than it). The lists are
// written by this job (pageMatches.ts), replacing those of an earlier attempt.
//
// Why a whole row page per job rather than one block i × j: a node's top-K then comes out of
// one job complete and can be written at once, K rows per node. With i × j blocks each block
// would stage a partial top-K per node and per block (K × pages per node, 50× more rows at
// 50,000 nodes) for a flush to merge. The price is that the flat strategy scores each unordered pair
// twice (once per direction); the metadata strategy scores candidates per direction anyway.
import { UnrecoverableError } from 'bullmq';
import { withTransaction } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import { siblingModule, type Processor, type ThreadSpec } from '../shared/processor.ts';
import { assertCycleCurrent, runCycleJob } from './cycleJob.ts';
import { listPages, pageKey } from './cycleStore.ts';
import { columnBatchBytes, neighbourIds, type NeighbourIds } from './cyclePlan.ts';
import { loadStoredLists, writePageMatches } from './pageMatches.ts';
import { PageCache } from './pageCache.ts';
import { rankPage } from './pageRanking.ts';
import { settingsNow } from './fetchPage.ts';
import type { ScoreRowsOutput } from './scoringTask.ts';

const MIB = 1 << 20;

/** Scoring runs on MATCHING_SCORING_THREADS threads per worker process (scoringTask.ts). */
export const SCORING_THREADS: ThreadSpec = { module: siblingModule(import.meta.url, 'scoringTask'), size: (cfg) => cfg.scoringThreads };

// Per process: encoded pages (half the memory budget) and the cycle's neighbour ids, which every
// build job of a cycle needs and which do not change once the cycle is planned.
let pageCache: PageCache | undefined;
const idsOfCycle = new Map<string, NeighbourIds>();

export const buildChunkPair: Processor<'build-chunk-pair'> = (job, deps) => runCycleJob(job, deps, async (cycle) => {
  const { cfg, pool } = deps;
  const { kind, i } = job.data;
  const t0 = process.hrtime.bigint();
  const startedAt = Date.now();
  const settings = cycle.settings ?? await settingsNow(deps, cycle);
  const pages = await listPages(pool, cycle.cycleId);
  const rows = pages.find((p) => p.kind === kind && p.index === i);
  if (!rows) throw new UnrecoverableError(`row page ${kind}${i} of cycle ${cycle.cycleId} is missing from staging`);
  let named = idsOfCycle.get(cycle.cycleId);
  if (!named) {
    named = neighbourIds(pages);
    idsOfCycle.clear(); // one cycle's ids at a time: they are the size of the group
    idsOfCycle.set(cycle.cycleId, named);
  }
  const t1 = Date.now();
  pageCache ??= new PageCache((cfg.maxMemoryMb * MIB) / 2);
  const cache = pageCache;
  const ranked = await rankPage({
    score: (input) => deps.threads.run<ScoreRowsOutput>('scoreRows', input),
    count: (input) => deps.threads.run('countCandidates', input),
    rank: (input) => deps.threads.run('rankCandidates', input),
    load: (batch) => cache.get(pool, cycle.cycleId, batch),
    stored: (refs) => loadStoredLists(pool, cycle.groupId, refs),
    batchBytes: columnBatchBytes(cfg.maxMemoryMb, cfg.workerConcurrency),
  }, settings, rows, pages, named);
  const { lists } = ranked;
  const t2 = Date.now();
  const { held, written, ms: write, rewritten } = await withTransaction(pool, async (client) => {
    await assertCycleCurrent(client, cycle);
    const pageLists = {
      rowRefs: rows.referenceIds, rowIds: named.ids.get(pageKey(kind, i))!, lists, referenceOfId: named.referenceOfId, k: settings.topK,
      colliders: ranked.colliders,
    };
    return writePageMatches(client, cycle, { kind, index: i }, pageLists, ranked.stored);
  });
  // rank: loading pages, scoring, reading and merging stored lists (broken down after); stage: writing
  const ms = { rank: t2 - t1, stage: Date.now() - t2, ...ranked.ms, ...write };
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const labels = { groupId: cycle.groupId, domainId: cycle.domainId };
  metrics.batchMatchesTotalDuration.observe(labels, seconds);
  metrics.graphPreprocessorDuration.observe({ groupId: cycle.groupId }, (t2 - t1) / 1000);
  const matchType = settings.partition ? 'BIPARTITE' : 'SYMMETRIC';
  let kept = 0;
  for (const l of lists) kept += Math.min(settings.topK, l.ids.length);
  // generated: every edge above the threshold; dropped: those the row's top-K evicted, and the
  // candidate pairs the LSH candidate limit left unscored
  metrics.potentialMatchesGenerated.inc({ ...labels, match_type: matchType }, ranked.offered);
  metrics.matchDrops.inc({ ...labels, reason: 'top_k_eviction', match_type: matchType }, Math.max(0, ranked.offered - kept));
  if (settings.candidates === 'metadata') metrics.matchDrops.inc({ ...labels, reason: 'lsh_candidate_limit', match_type: matchType }, ranked.unscored);
  metrics.potentialMatchesSaved.inc(labels, held);
  if (rewritten) deps.log.warn({ page: `${kind}${i}` }, 'the stored lists of an E page did not match its rows: the page was rewritten whole');
  // pairs, written and the times feed the cycle's quality record (flush-group sums them)
  return {
    page: `${kind}${i}`, pairs: ranked.pairs, edges: held, written, rescored: ranked.rescored, capped: ranked.capped, rewritten, batches: ranked.batches,
    seconds, ms, startedAt, finishedAt: Date.now(),
  };
});
