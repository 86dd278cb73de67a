// perfect-match-group: load the group's potential matches as the last completed potential cycle
// left them, solve them with the group's strategy off the event loop, and replace perfect_matches
// in one transaction, keeping last_run_perfect_matches. A dry run returns what it would write.
// At most MATCH_MAX_CONCURRENT_GROUPS runs of a domain are inside at once (perfectPermit.ts).
import { UnrecoverableError, type Job } from 'bullmq';
import type { Pairs } from '../matching/perfect/graph.ts';
import { getGroup, groupConfiguration, type GroupRow } from '../groups/catalog.ts';
import { perfectSettings } from '../groups/groupSettings.ts';
import { recordHeapCleanup } from '../shared/heapCleanup.ts';
import { localBinaryDb } from '../shared/localStore.ts';
import { metrics } from '../shared/metrics.ts';
import { siblingModule, type Processor, type ThreadSpec, type WorkerDeps } from '../shared/processor.ts';
import type { PerfectMatchGroupPayload } from '../shared/queues.ts';
import { EdgeSpill } from './edgeSpill.ts';
import { decidePerfectRun, lastPerfectRun, lastPotentialRun } from './lastRuns.ts';
import { loadCycleGraph } from './loadGroupGraph.ts';
import { takePerfectPermit } from './perfectPermit.ts';
import { recordFencedRun, savePerfectRun, type RunFence } from './savePerfectMatches.ts';
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

export const perfectMatchGroup: Processor<'perfect-match-group'> = async (job, deps) => {
  const { pool } = deps;
  const { groupId, force, dryRun } = job.data;
  const group = await getGroup(pool, groupId);
  if (!group) throw new Error(`group ${groupId} does not exist`);
  const decide = async () => decidePerfectRun(await lastPotentialRun(pool, groupId), await lastPerfectRun(pool, groupId), force || dryRun);
  const first = await decide();
  if (!first.run) return skip(deps, first.reason);
  const permit = await takePerfectPermit(job, deps, group.domainId);
  try {
    // decided again under the permit: another run of the group may have finished while this one waited
    const decision = await decide();
    if (!decision.run) return skip(deps, decision.reason);
    return await runPerfect(job, deps, group, decision.potentialCycleId, { token: permit.token });
  } finally {
    await permit.release().catch((err: Error) => deps.log.warn({ err: err.message }, 'could not release the perfect-run permit; it expires'));
    recordHeapCleanup();
  }
};

function skip(deps: WorkerDeps, reason: string): PerfectMatchResult {
  deps.log.info({ reason }, 'perfect-match-group skipped');
  return { skipped: reason };
}

const SUPERSEDED = 'a perfect run of the group that took its permit later has written first';

async function runPerfect(
  job: Job<PerfectMatchGroupPayload>, deps: WorkerDeps, group: GroupRow, cycleId: string, fence: RunFence,
): Promise<PerfectMatchResult> {
  const { pool, cfg, log, threads } = deps;
  const { dryRun } = job.data;
  const groupId = group.id;
  let settings;
  try {
    settings = perfectSettings(cfg, group, await groupConfiguration(pool, groupId));
  } catch (err) {
    // a configuration error fails at once: retrying cannot fix it
    throw new UnrecoverableError(`group ${group.name}: ${(err as Error).message}`);
  }
  const run = { groupId, domainId: group.domainId, cycleId, potentialCycleId: cycleId };
  const labels = { groupId, domainId: group.domainId };
  const timer = metrics.perfectMatchesCreation.startTimer(labels);
  // the group's error series exists (at 0) from its first run on, so that rate() and alerts see it
  metrics.perfectMatchesCreationErrors.inc({ groupId }, 0);
  metrics.matchingErrors.inc(labels, 0);
  if (!dryRun && !(await recordFencedRun(pool, { ...run, status: 'PENDING', strategy: settings.strategy }, fence))) {
    log.warn(SUPERSEDED);
    return { skipped: SUPERSEDED };
  }
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
      metrics.matchingErrors.inc(labels);
      throw err;
    });
    metrics.matchingDuration.observe({ ...labels, strategy: solved.strategy }, Number(process.hrtime.bigint() - t0) / 1e9);
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
    // save: 70–100 %, batch by batch
    const { leftRefs, rightRefs } = loaded;
    const written = await savePerfectRun(pool, { ...run, pairs: solved.pairs, leftRefs, rightRefs, strategy: solved.strategy, nodeCount: nodes }, fence, {
      batchSize: cfg.saveBatchSize,
      onBatch: (share) => void job.updateProgress(70 + Math.floor(30 * share)).catch(() => undefined),
    });
    if (written === null) {
      log.warn(SUPERSEDED);
      return { skipped: SUPERSEDED };
    }
    await job.updateProgress(100);
    log.info({ strategy: solved.strategy, nodes, pairs: written, totalScore: summary.totalScore }, 'perfect matches written');
    return { ...summary, pairs: written } satisfies PerfectMatchResult;
  } catch (err) {
    metrics.perfectMatchesCreationErrors.inc({ groupId });
    if (!dryRun) {
      await recordFencedRun(pool, { ...run, status: 'FAILED', strategy: settings.strategy, failureReason: (err as Error).message }, fence)
        .catch((e) => log.error({ err: e }, 'could not record the failed run'));
    }
    throw err;
  } finally {
    await spill.clear();
    timer();
  }
}
