// perfect-match-group: load the group's potential matches as the last completed potential cycle
// left them, solve them with the group's strategy off the event loop, and replace perfect_matches
// in one transaction, keeping last_run_perfect_matches. A dry run returns what it would write.
import { UnrecoverableError } from 'bullmq';
import type { Pairs } from '../matching/perfect/graph.ts';
import { getGroup, groupConfiguration } from '../groups/catalog.ts';
import { perfectSettings } from '../groups/groupSettings.ts';
import { localBinaryDb } from '../shared/localStore.ts';
import { metrics } from '../shared/metrics.ts';
import { siblingModule, type Processor, type ThreadSpec } from '../shared/processor.ts';
import { EdgeSpill } from './edgeSpill.ts';
import { decidePerfectRun, lastPerfectRun, lastPotentialRun, recordPerfectRun } from './lastRuns.ts';
import { loadCycleGraph } from './loadGroupGraph.ts';
import { savePerfectRun } from './savePerfectMatches.ts';
import { solveGroup, totalScore } from './solveGroup.ts';

/** One solver thread per process: a worker runs one perfect job's CPU work at a time per thread. */
export const SOLVER_THREADS: ThreadSpec = { module: siblingModule(import.meta.url, 'solveTask'), size: () => 1 };

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
  const { groupId, force, dryRun } = job.data;
  const group = await getGroup(pool, groupId);
  if (!group) throw new Error(`group ${groupId} does not exist`);
  const decision = decidePerfectRun(await lastPotentialRun(pool, groupId), await lastPerfectRun(pool, groupId), force || dryRun);
  if (!decision.run) {
    log.info({ reason: decision.reason }, 'perfect-match-group skipped');
    return { skipped: decision.reason } satisfies PerfectMatchResult;
  }
  const cycleId = decision.potentialCycleId;
  let settings;
  try {
    settings = perfectSettings(cfg, group, await groupConfiguration(pool, groupId));
  } catch (err) {
    // a configuration error fails at once: retrying cannot fix it
    throw new UnrecoverableError(`group ${group.name}: ${(err as Error).message}`);
  }
  const run = { groupId, domainId: group.domainId, cycleId, potentialCycleId: cycleId };
  const timer = metrics.perfectMatchesCreation.startTimer({ groupId });
  // the group's error series exists (at 0) from its first run on, so that rate() and alerts see it
  metrics.perfectMatchesCreationErrors.inc({ groupId }, 0);
  metrics.matchingErrors.inc({ groupId }, 0);
  if (!dryRun) await recordPerfectRun(pool, { ...run, status: 'PENDING', strategy: settings.strategy });
  const spill = new EdgeSpill(localBinaryDb(cfg, 'perfect-spill'), `job-${job.id}`);
  try {
    // load: the first 30 % of the job's progress
    const maxBytes = cfg.maxMemoryMb * 2 ** 20;
    const buildTimer = metrics.graphBuildDuration.startTimer({ groupId, match_type: group.matchType });
    await spill.clear(); // a retried job may find its own leftovers from the attempt that crashed
    const loaded = await loadCycleGraph(pool, groupId, cycleId, { bipartite: settings.partition ?? undefined, maxBytes, spill: () => spill },
      (share) => void job.updateProgress(Math.min(29, Math.floor(30 * share))).catch(() => undefined));
    buildTimer();
    await job.updateProgress(30);
    const nodes = loaded.leftRefs.length + loaded.rightRefs.length;

    // solve: up to 70 %
    const t0 = process.hrtime.bigint();
    const solved = await solveGroup(loaded, { ...settings, maxBytes, blossomMaxNodes: cfg.perfectBlossomMaxNodes, threads }).catch((err) => {
      metrics.matchingErrors.inc({ groupId });
      throw err;
    });
    metrics.matchingDuration.observe({ groupId, strategy: solved.strategy }, Number(process.hrtime.bigint() - t0) / 1e9);
    if (solved.fallback) {
      log.warn({ configured: settings.strategy, ran: solved.strategy, nodes }, solved.fallback);
      metrics.perfectStrategyFallbacks.inc({ groupId, configured: settings.strategy, ran: solved.strategy });
    }
    if (solved.outOfCore) log.info({ note: solved.outOfCore }, 'group exceeded the memory budget: solved out of core');
    log.info({ strategy: solved.strategy, nodes, edges: solved.edges, skippedRows: loaded.skipped, inMemory: loaded.inMemory }, 'graph solved');
    await job.updateProgress(70);
    const summary = {
      strategy: solved.strategy, nodes, edges: solved.edges, totalScore: totalScore(solved.pairs), outOfCore: solved.outOfCore, fallback: solved.fallback,
    };

    if (dryRun) {
      await job.updateProgress(100);
      log.info({ ...summary, pairs: solved.pairs.left.length }, 'perfect matches computed (dry run: nothing written)');
      const sample = samplePairs(solved.pairs, loaded.leftRefs, loaded.rightRefs);
      return { dryRun: true, ...summary, pairs: solved.pairs.left.length, sample } satisfies PerfectMatchResult;
    }
    // save
    const { leftRefs, rightRefs } = loaded;
    const written = await savePerfectRun(pool, { ...run, pairs: solved.pairs, leftRefs, rightRefs, strategy: solved.strategy, nodeCount: nodes });
    await job.updateProgress(100);
    log.info({ strategy: solved.strategy, nodes, pairs: written, totalScore: summary.totalScore }, 'perfect matches written');
    return { ...summary, pairs: written } satisfies PerfectMatchResult;
  } catch (err) {
    metrics.perfectMatchesCreationErrors.inc({ groupId });
    if (!dryRun) {
      await recordPerfectRun(pool, { ...run, status: 'FAILED', strategy: settings.strategy, failureReason: (err as Error).message })
        .catch((e) => log.error({ err: e }, 'could not record the failed run'));
    }
    throw err;
  } finally {
    await spill.clear();
    timer();
  }
};
