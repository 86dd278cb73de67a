// fetch-page: one keyset page of a group's nodes (seed 001 §3.2: ORDER BY created_at, id and
// "after the last row of the previous page", never OFFSET), encoded once into typed arrays and
// stored for the cycle, where every worker can read it. The first page of a cycle begins it: group
// lock, domain permit, last run PENDING.
//
// The first page of each kind (N0, E0) plans that kind's pages in one ordered pass over the index:
// the key of every nodeFetchBatchSize-th node is a page's upper bound. It enqueues every page at
// once with its bounds, so that the workers fetch and encode pages in parallel; one after another,
// as a chain of jobs, a 50,000-node group's 50 pages took ~5 s whatever the number of workers. The
// last page is open-ended: it takes up to a page of nodes after the last bound, chains on while it
// finds full pages (nodes added since the plan), and the last of the chain plans the cycle's flow.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { encodePage, type NodeInput } from '../matching/encodedPage.ts';
import { serializePage } from '../matching/pageCodec.ts';
import { getGroup, groupConfiguration } from '../groups/catalog.ts';
import { coordinationContext } from '../shared/coordination/context.ts';
import { admitFencedWrite } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { withTransaction } from '../shared/db.ts';
import { lapTimer } from '../shared/lapTimer.ts';
import type { FetchPagePayload, KeysetCursor, PageKind } from '../shared/queues.ts';
import type { Processor, WorkerDeps } from '../shared/processor.ts';
import { acquireCycleHolds } from './cycleHolds.ts';
import { enqueueCycleFlow, enqueueFetchPages, fetchJobId, potentialQueue } from './cycleJobs.ts';
import { runCycleJob } from './cycleJob.ts';
import { getCycle, insertCycle, listPageKeys, markPlanned, recordGroupHadMatches, recordNewPages, setLastRun, stagedPageCounts, storePage, type CycleRow } from './cycleStore.ts';
import { groupSettings } from '../groups/groupSettings.ts';

interface NodeRow {
  id: string;
  reference_id: string;
  type: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
}

/** N: unprocessed nodes (incremental) or all (full); E: processed nodes (incremental only). */
function processedFilter(mode: CycleRow['mode'], kind: PageKind): string {
  if (mode === 'FULL') return '';
  return kind === 'N' ? 'AND processed = false' : 'AND processed = true';
}

export async function fetchNodePage(deps: Pick<WorkerDeps, 'pool'>, cycle: CycleRow, kind: PageKind, after: KeysetCursor | null, limit: number, upTo?: KeysetCursor): Promise<NodeRow[]> {
  // created_at travels as text: a JavaScript Date would cut the microseconds off the keyset
  // position and the next page would repeat rows.
  const params: unknown[] = [cycle.groupId, cycle.domainId];
  const bound = (c: KeysetCursor) => `($${params.push(c.createdAt)}::timestamptz, $${params.push(c.id)}::uuid)`;
  let where = `group_id = $1 AND domain_id = $2 ${processedFilter(cycle.mode, kind)}`;
  if (after) where += ` AND (created_at, id) > ${bound(after)}`;
  if (upTo) where += ` AND (created_at, id) <= ${bound(upTo)}`;
  // a planned page is its range, whole: a LIMIT could leave out a node added inside it since
  const limitClause = upTo ? '' : ` LIMIT $${params.push(limit)}`;
  const { rows } = await deps.pool.query<NodeRow>(
    `SELECT id, reference_id, type, metadata, created_at::text AS created_at FROM nodes WHERE ${where} ORDER BY created_at, id${limitClause}`, params);
  return rows;
}

/**
 * The upper bounds of a kind's full pages: the (created_at, id) of every `pageSize`-th node in
 * keyset order, read in one pass over the keyset index.
 */
export async function planPageBounds(deps: Pick<WorkerDeps, 'pool'>, cycle: CycleRow, kind: PageKind, pageSize: number): Promise<KeysetCursor[]> {
  const { rows } = await deps.pool.query<{ created_at: string; id: string }>(
    `SELECT created_at::text AS created_at, id FROM (
       SELECT created_at, id, row_number() OVER (ORDER BY created_at, id) AS n FROM nodes
       WHERE group_id = $1 AND domain_id = $2 ${processedFilter(cycle.mode, kind)}
     ) keyset WHERE n % $3 = 0 ORDER BY n`,
    [cycle.groupId, cycle.domainId, pageSize]);
  return rows.map((r) => ({ createdAt: r.created_at, id: r.id }));
}

/**
 * The first page of a kind: plans the kind's pages (once: the plan is kept in the job's data, so
 * that a retry does not draw other bounds than the pages already enqueued), enqueues pages
 * 1 … n, and returns its own upper bound (none when the kind has one page at most).
 */
async function planPages(job: Job<FetchPagePayload>, deps: WorkerDeps, cycle: CycleRow): Promise<KeysetCursor | undefined> {
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

type Begin = { cycle: CycleRow } | { skipped: string };

/** The first page of a cycle: takes the holds and records the cycle, or says why it is skipped. */
async function beginCycle(job: Job<FetchPagePayload>, deps: WorkerDeps): Promise<Begin> {
  const p = job.data;
  const existing = await getCycle(deps.pool, p.cycleId);
  if (existing) return { cycle: existing };
  const group = await getGroup(deps.pool, p.groupId);
  if (!group || group.domainId !== p.domainId) throw new UnrecoverableError(`group ${p.groupId} of domain ${p.domainId} does not exist`);
  if (p.incremental) {
    const { rows } = await deps.pool.query(
      'SELECT EXISTS (SELECT 1 FROM nodes WHERE group_id = $1 AND domain_id = $2 AND processed = false) AS any', [p.groupId, p.domainId]);
    if (!rows[0].any) return { skipped: 'no new nodes' };
  }
  const got = await acquireCycleHolds(deps.cfg, coordinationContext(deps.cfg, deps.redis), p.groupId, p.cycleId);
  if (!got.ok) {
    if (got.reason === 'group-busy') return { skipped: 'another cycle of the group is running' };
    // every domain permit is taken: try again later without spending an attempt
    await job.moveToDelayed(Date.now() + deps.cfg.cyclePermitRetryMs, deps.token);
    throw new DelayedError();
  }
  const cycle = { cycleId: p.cycleId, groupId: p.groupId, domainId: p.domainId, mode: p.incremental ? 'INCREMENTAL' : 'FULL', lockToken: got.lockToken, permitToken: got.permitToken } as const;
  // One transaction: a first page that died between recording the cycle and marking the run
  // PENDING left a cycle that its retry took as begun, whose last page then saw no PENDING run
  // and planned nothing — a cycle hung until the next tick (found by the chaos suite).
  await withTransaction(deps.pool, async (c) => {
    await insertCycle(c, cycle);
    // the cycle's token becomes the newest for the group: writes of an older cycle are refused now
    await admitFencedWrite(c, RESOURCE.groupCycle(p.groupId), got.lockToken);
    await recordGroupHadMatches(c, p.cycleId, p.groupId);
    await setLastRun(c, { groupId: p.groupId, domainId: p.domainId, cycleId: p.cycleId, status: 'PENDING' });
  });
  deps.log.info({ mode: cycle.mode, lockToken: got.lockToken }, 'cycle started');
  return { cycle: (await getCycle(deps.pool, p.cycleId))! };
}

export const fetchPage: Processor<'fetch-page'> = async (job, deps) => {
  const p = job.data;
  if (p.kind === 'N' && p.pageIndex === 0) {
    const begun = await beginCycle(job, deps);
    if ('skipped' in begun) {
      deps.log.info({ reason: begun.skipped }, 'cycle skipped');
      return { skipped: begun.skipped };
    }
  }
  return runCycleJob(job, deps, async (cycle) => {
    const { cfg, pool } = deps;
    const { ms, lap } = lapTimer(['group', 'query', 'encode', 'store'] as const);
    const group = await getGroup(pool, cycle.groupId);
    if (!group) throw new UnrecoverableError(`group ${cycle.groupId} was deleted`);
    const settings = groupSettings(cfg, group, await groupConfiguration(pool, group.id));
    lap('group');
    const upTo = p.pageIndex === 0 ? await planPages(job, deps, cycle) : p.upTo;
    const rows = await fetchNodePage(deps, cycle, p.kind, p.after, cfg.nodeFetchBatchSize, upTo);
    lap('query');
    const ref = { cycleId: cycle.cycleId, groupId: cycle.groupId, domainId: cycle.domainId };
    const full = !upTo && rows.length === cfg.nodeFetchBatchSize;
    // The next page's bound is known now: enqueue it before encoding this one.
    if (full) {
      const last = rows[rows.length - 1];
      await enqueueFetchPages(cfg, [{ ...ref, kind: p.kind, pageIndex: p.pageIndex + 1, after: { createdAt: last.created_at, id: last.id }, incremental: p.incremental }]);
    }
    // A planned page is stored even when empty (its nodes were deleted since the plan), so that
    // the kind's pages are 0 … n-1 without gaps; the open-ended last page only when not empty.
    if (rows.length > 0 || upTo) {
      const nodes: NodeInput[] = rows.map((r) => ({ referenceId: r.reference_id, type: r.type, metadata: r.metadata as NodeInput['metadata'] }));
      const page = encodePage(nodes, { lsh: settings.lsh ?? undefined, partition: settings.partition ?? undefined });
      lap('encode');
      const last = rows.at(-1);
      await storePage(pool, cycle.cycleId, {
        kind: p.kind, index: p.pageIndex, nodeIds: rows.map((r) => r.id), referenceIds: page.referenceIds,
        lastCreatedAt: last?.created_at ?? null, lastId: last?.id ?? null, data: serializePage(page),
      });
      lap('store');
    }
    if (upTo) return { nodes: rows.length, ms };
    if (full) return { nodes: rows.length, next: `${p.kind}${p.pageIndex + 1}`, ms };
    // the end of this kind's chain: pages 0 .. pageIndex, the last one only if not empty
    const stored = p.pageIndex + (rows.length > 0 ? 1 : 0);
    if (p.kind === 'N' && cycle.mode === 'INCREMENTAL') {
      await recordNewPages(pool, cycle.cycleId, stored);
      await enqueueFetchPages(cfg, [{ ...ref, kind: 'E', pageIndex: 0, after: null, incremental: p.incremental }]);
      return { nodes: rows.length, next: 'E0', ms };
    }
    // last page: once every page is stored, plan the flow. Row pages: every N page; E pages only
    // when there are new nodes.
    const newPages = p.kind === 'N' ? stored : (await getCycle(pool, cycle.cycleId))!.newPages ?? 0;
    const existingPages = p.kind === 'E' ? stored : 0;
    if (!(await waitForPages(deps, cycle.cycleId, newPages, existingPages))) return { nodes: rows.length, planned: 0, reason: 'cycle ended' };
    const pages = await listPageKeys(pool, cycle.cycleId);
    // pages whose nodes were all deleted since the plan have nothing to score
    const rowPages = newPages ? pages.filter((pg) => pg.nodeCount > 0) : [];
    await markPlanned(pool, cycle.cycleId, newPages, existingPages);
    await enqueueCycleFlow(cfg, ref, cycle.lockToken, rowPages);
    deps.log.info({ newPages, existingPages }, 'cycle planned');
    return { nodes: rows.length, planned: rowPages.length, ms };
  });
};

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
