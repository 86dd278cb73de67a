// perfect-match-group: stream the group's potential matches, run its strategy off the event
// loop, replace perfect_matches in one transaction, keep last_run_perfect_matches.
import { getGroup, groupConfiguration } from '../groups/catalog.ts';
import { withClient, withTransaction } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import type { MatchGraph, Pairs } from '../matching/perfect/graph.ts';
import { localBinaryDb } from '../shared/localStore.ts';
import { EdgeSpill } from './edgeSpill.ts';
import { planSpilled } from './solveSpilled.ts';
import { defaultStrategy, isStrategyName, strategyOptionsFromConfig } from '../matching/perfect/strategies.ts';
import { decidePerfectRun, lastPerfectRun, lastPotentialRun, recordPerfectRun } from './lastRuns.ts';
import { loadGroupGraph, type SidePartition } from './loadGroupGraph.ts';
import { savePerfectMatches } from './savePerfectMatches.ts';
import { perfectMatchTransfer, type PerfectMatchTask } from './solveTask.ts';
import { strategyForSize } from '../matching/perfect/sizeGuard.ts';
import type { Processor, ThreadSpec } from '../shared/processor.ts';
import { UnrecoverableError } from 'bullmq';
import { groupSettings } from '../groups/groupSettings.ts';

/** One solver thread per process: a worker runs one perfect job's CPU work at a time per thread. */
export const SOLVER_THREADS: ThreadSpec = { module: new URL('./solveTask.ts', import.meta.url), size: () => 1 };

export interface PerfectMatchResult {
  skipped?: string;
  strategy?: string;
  nodes?: number;
  edges?: number;
  pairs?: number;
  totalScore?: number;
  /** how a group larger than the memory budget was solved */
  outOfCore?: string;
  /** a dry run: nothing was written; the best pairs it would have written */
  dryRun?: boolean;
  sample?: Array<{ referenceId: string; matchedReferenceId: string; score: number }>;
  /** why another strategy than the configured one ran (group size, sizeGuard.ts) */
  fallback?: string;
}

const DRY_RUN_SAMPLE = 10;

/** The best pairs of a dry run, by reference id. */
function samplePairs(p: Pairs, leftRefs: string[], rightRefs: string[]): NonNullable<PerfectMatchResult['sample']> {
  const right = rightRefs.length ? rightRefs : leftRefs;
  const order = Array.from(p.score.keys()).sort((a, b) => p.score[b] - p.score[a]).slice(0, DRY_RUN_SAMPLE);
  return order.map((k) => ({ referenceId: leftRefs[p.left[k]], matchedReferenceId: right[p.right[k]], score: p.score[k] }));
}

export const perfectMatchGroup: Processor<'perfect-match-group'> = async (job, { pool, cfg, log, threads }) => {
  const { groupId, domainId, force, dryRun } = job.data;
  const group = await getGroup(pool, groupId);
  if (!group) throw new Error(`group ${groupId} does not exist`);
  const decision = decidePerfectRun(await lastPotentialRun(pool, groupId), await lastPerfectRun(pool, groupId), force || dryRun);
  if (!decision.run) {
    log.info({ reason: decision.reason }, 'perfect-match-group skipped');
    return { skipped: decision.reason } satisfies PerfectMatchResult;
  }
  const cycleId = decision.potentialCycleId;
  const conf = await groupConfiguration(pool, groupId);
  const strategy = conf?.algorithmId ?? defaultStrategy(group.matchType);
  // a configuration error fails at once: retrying cannot fix it
  if (!isStrategyName(strategy)) throw new UnrecoverableError(`group ${group.name}: unknown perfect-match strategy '${strategy}'`);
  const params = (conf?.params ?? {}) as { topK?: number; leftCapacity?: number; rightCapacity?: number };
  // the sides are the ones the potential stage paired (same settings, same defaults)
  let partition;
  try {
    partition = groupSettings(cfg, group, conf).partition;
  } catch (err) {
    throw new UnrecoverableError(`group ${group.name}: ${(err as Error).message}`);
  }
  const bipartite: SidePartition | undefined = group.matchType === 'BIPARTITE' && partition
    ? { partitionKey: partition.key, leftValues: partition.leftValues, rightValues: partition.rightValues }
    : undefined;
  const timer = metrics.perfectMatchesCreation.startTimer({ groupId });
  // the group's error series exists (at 0) from its first run on, so that rate() and alerts see it
  metrics.perfectMatchesCreationErrors.inc({ groupId }, 0);
  metrics.matchingErrors.inc({ groupId }, 0);
  if (!dryRun) await recordPerfectRun(pool, { groupId, domainId: group.domainId, status: 'PENDING', cycleId, potentialCycleId: cycleId, strategy });
  try {
    const buildTimer = metrics.graphBuildDuration.startTimer({ groupId, match_type: group.matchType });
    const maxBytes = cfg.maxMemoryMb * 2 ** 20;
    const spill = new EdgeSpill(localBinaryDb(cfg, 'perfect-spill'), `job-${job.id}`);
    // a retried job may find its own leftovers from the attempt that crashed
    await spill.clear();
    // One snapshot: the edges read belong to the potential cycle checked above.
    const loaded = await withClient(pool, async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const now = await lastPotentialRun(c, groupId);
        if (now?.cycleId !== cycleId || now.status !== 'COMPLETED') throw new Error(`potential cycle changed while starting (now ${now?.cycleId} ${now?.status}); retrying`);
        // loading is the first 30 % of the job, measured against the rows the potential run left
        const expected = now.edgeCount ?? 0;
        const onRows = (rows: number) => {
          if (expected > 0) void job.updateProgress(Math.min(29, Math.floor((30 * rows) / expected))).catch(() => undefined);
        };
        return await loadGroupGraph(c, groupId, { bipartite, maxBytes, spill: () => spill, onRows });
      } finally {
        await c.query('COMMIT');
      }
    });
    buildTimer();
    await job.updateProgress(30);
    const nodes = loaded.leftRefs.length + loaded.rightRefs.length;
    const options = strategyOptionsFromConfig(cfg, {
      ...(params.topK ? { topK: params.topK } : {}),
      ...(params.leftCapacity ? { leftCapacity: params.leftCapacity } : {}),
      ...(params.rightCapacity ? { rightCapacity: params.rightCapacity } : {}),
    });
    const topK = options.topK;
    const { strategy: ran, fallback } = strategyForSize(strategy, loaded.bipartite, nodes, cfg.perfectBlossomMaxNodes);
    if (fallback) {
      log.warn({ configured: strategy, ran, nodes }, fallback);
      metrics.perfectStrategyFallbacks.inc({ groupId, configured: strategy, ran });
    }
    let pairs: Pairs;
    let edges: number;
    let note: string | undefined;
    const solveTimer = metrics.matchingDuration.startTimer({ groupId, strategy: ran });
    try {
      let graph: MatchGraph | undefined;
      if (loaded.inMemory) {
        graph = loaded.graph;
        edges = graph.left.length;
      } else {
        edges = loaded.spill.edges;
        const plan = await planSpilled({ spill: loaded.spill, bipartite: loaded.bipartite, nLeft: loaded.leftRefs.length, nRight: loaded.rightRefs.length }, ran, maxBytes, topK);
        note = plan.note;
        log.info({ note }, 'group exceeded the memory budget: solved out of core');
        if (plan.kind === 'graph') graph = plan.graph;
        else pairs = plan.pairs;
      }
      log.info({ strategy: ran, nodes, edges, skippedRows: loaded.skipped, inMemory: loaded.inMemory }, 'graph loaded');
      if (graph) {
        const task: PerfectMatchTask = { strategy: ran, graph, options };
        pairs = await threads.run<Pairs>('perfectMatch', task, perfectMatchTransfer(task));
      }
    } catch (err) {
      metrics.matchingErrors.inc({ groupId });
      throw err;
    } finally {
      await spill.clear();
    }
    solveTimer();
    await job.updateProgress(70);
    const chosen = pairs!;
    if (dryRun) {
      let total = 0;
      for (let k = 0; k < chosen.score.length; k++) total += chosen.score[k];
      await job.updateProgress(100);
      log.info({ strategy: ran, nodes, pairs: chosen.left.length, totalScore: total }, 'perfect matches computed (dry run: nothing written)');
      return { dryRun: true, strategy: ran, nodes, edges, pairs: chosen.left.length, totalScore: total, outOfCore: note, fallback, sample: samplePairs(chosen, loaded.leftRefs, loaded.rightRefs) } satisfies PerfectMatchResult;
    }
    const saveTimer = metrics.storageProcessorBatchDuration.startTimer({ table: 'perfect_matches' });
    const storageTimer = metrics.perfectMatchStorageDuration.startTimer({ groupId });
    const written = await withTransaction(pool, async (c) => {
      const n = await savePerfectMatches(c, { groupId, domainId: group.domainId, cycleId, pairs: chosen, leftRefs: loaded.leftRefs, rightRefs: loaded.rightRefs });
      await recordPerfectRun(c, { groupId, domainId: group.domainId, status: 'COMPLETED', cycleId, potentialCycleId: cycleId, strategy: ran, nodeCount: nodes, pairCount: n });
      return n;
    }).catch((err: Error & { code?: string }) => {
      metrics.perfectMatchStorageErrors.inc({ groupId, error_type: err.code ?? err.name });
      throw err;
    });
    saveTimer();
    storageTimer();
    metrics.perfectMatchesSaved.inc({ groupId }, written);
    await job.updateProgress(100);
    let total = 0;
    for (let k = 0; k < chosen.score.length; k++) total += chosen.score[k];
    log.info({ strategy: ran, nodes, pairs: written, totalScore: total }, 'perfect matches written');
    return { strategy: ran, nodes, edges, pairs: written, totalScore: total, outOfCore: note, fallback } satisfies PerfectMatchResult;
  } catch (err) {
    metrics.perfectMatchesCreationErrors.inc({ groupId });
    if (!dryRun) await recordPerfectRun(pool, { groupId, domainId: group.domainId, status: 'FAILED', cycleId, potentialCycleId: cycleId, strategy, failureReason: (err as Error).message })
      .catch((e) => log.error({ err: e }, 'could not record the failed run'));
    throw err;
  } finally {
    timer();
  }
};
