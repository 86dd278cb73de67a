// Planning a cycle's pages and its flow. The first page of each kind (N0, E0) plans that kind's
// pages in one ordered pass over the keyset index and enqueues them all at once, so that workers
// fetch and encode pages in parallel. The last page of the last kind waits until every page is
// stored, then adds the flow finalize-group <- flush-group <- build-chunk-pair (one per row page).
import { UnrecoverableError, type Job } from 'bullmq';
import type { WorkerDeps } from '../shared/processor.ts';
import type { CycleRef, FetchPagePayload, KeysetCursor } from '../shared/queues.ts';
import { enqueueCycleFlow, enqueueFetchPages, fetchJobId, potentialQueue } from './cycleJobs.ts';
import { getCycle, listPageKeys, markPlanned, recordNewPages, stagedPageCounts, type CycleRow } from './cycleStore.ts';
import { planPageBounds } from './nodePages.ts';

/**
 * The first page of a kind: plans the kind's pages (once: the plan is kept in the job's data, so
 * that a retry does not draw other bounds than the pages already enqueued), enqueues pages
 * 1 … n, and returns its own upper bound (none when the kind has one page at most).
 */
export async function planPages(job: Job<FetchPagePayload>, deps: WorkerDeps, cycle: CycleRow): Promise<KeysetCursor | undefined> {
  const p = job.data;
  let bounds = p.bounds;
  if (!bounds) {
    bounds = await planPageBounds(deps, cycle, p.kind, deps.cfg.nodeFetchBatchSize);
    await job.updateData({ ...p, bounds });
  }
  const ref = { cycleId: cycle.cycleId, groupId: cycle.groupId, domainId: cycle.domainId };
  await enqueueFetchPages(deps.cfg, bounds.map((after, i) => (
    { ...ref, kind: p.kind, pageIndex: i + 1, after, upTo: bounds[i + 1], incremental: p.incremental })));
  return bounds[0];
}

/**
 * The end of a kind's chain, with `stored` pages of that kind. An incremental cycle goes on to its
 * E pages (nodes of earlier cycles); otherwise, once every page is stored, the flow is planned.
 */
export async function endOfChain(deps: WorkerDeps, cycle: CycleRow, p: FetchPagePayload, stored: number): Promise<{ next: string } | { planned: number; reason?: string }> {
  const { cfg, pool } = deps;
  const ref: CycleRef = { cycleId: cycle.cycleId, groupId: cycle.groupId, domainId: cycle.domainId };
  if (p.kind === 'N' && cycle.mode === 'INCREMENTAL') {
    await recordNewPages(pool, cycle.cycleId, stored);
    await enqueueFetchPages(cfg, [{ ...ref, kind: 'E', pageIndex: 0, after: null, incremental: p.incremental }]);
    return { next: 'E0' };
  }
  // Row pages: every N page; E pages only when there are new nodes.
  const newPages = p.kind === 'N' ? stored : (await getCycle(pool, cycle.cycleId))!.newPages ?? 0;
  const existingPages = p.kind === 'E' ? stored : 0;
  if (!(await waitForPages(deps, cycle.cycleId, newPages, existingPages))) return { planned: 0, reason: 'cycle ended' };
  const pages = await listPageKeys(pool, cycle.cycleId);
  // pages whose nodes were all deleted since the plan have nothing to score
  const rowPages = newPages ? pages.filter((pg) => pg.nodeCount > 0) : [];
  await markPlanned(pool, cycle.cycleId, newPages, existingPages);
  await enqueueCycleFlow(cfg, ref, cycle.lockToken, rowPages);
  deps.log.info({ newPages, existingPages }, 'cycle planned');
  return { planned: rowPages.length };
}

/** The first page of the cycle that is not in the staging although its fetch job completed. */
async function lostPage(deps: WorkerDeps, cycleId: string, n: number, e: number): Promise<string | undefined> {
  const stored = new Set((await listPageKeys(deps.pool, cycleId)).map((p) => `${p.kind}${p.index}`));
  const queue = potentialQueue(deps.cfg);
  for (const [kind, count] of [['N', n], ['E', e]] as const) {
    for (let i = 0; i < count; i++) {
      if (!stored.has(`${kind}${i}`) && (await queue.getJobState(fetchJobId(cycleId, kind, i))) === 'completed') return `${kind}${i}`;
    }
  }
  return undefined;
}

/**
 * Waits until `n` N pages and `e` E pages of the cycle are stored (other fetch-page jobs may still
 * be encoding). False when the cycle ended meanwhile (a page failed for good).
 */
async function waitForPages(deps: WorkerDeps, cycleId: string, n: number, e: number): Promise<boolean> {
  const deadline = Date.now() + deps.cfg.workerLockDurationMs;
  for (;;) {
    const staged = await stagedPageCounts(deps.pool, cycleId);
    if (staged.status !== 'PENDING') return false;
    if (staged.n === n && staged.e === e) return true;
    if (Date.now() > deadline) {
      const lost = await lostPage(deps, cycleId, n, e);
      // a page whose fetch job completed was stored: it can only be gone with the UNLOGGED staging
      // (emptied by a PostgreSQL crash restart). Waiting cannot bring it back; the next cycle can.
      if (lost) throw new UnrecoverableError(`page ${lost} of cycle ${cycleId} was stored and is gone (staging emptied by a PostgreSQL crash restart?); the next cycle recomputes the group`);
      throw new Error(`pages of cycle ${cycleId} still missing (${staged.n}/${n} new, ${staged.e}/${e} existing)`);
    }
    await new Promise((r) => setTimeout(r, deps.cfg.coordinationRetryMs));
  }
}
