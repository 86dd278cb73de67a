// fetch-page: one keyset page of a group's nodes, encoded once into typed arrays and stored for
// the cycle, where every worker can read it. The first page of a cycle begins it (beginCycle.ts);
// the first page of each kind plans that kind's pages and the last page of the chain plans the
// cycle's flow (planCycle.ts). The last page is open-ended: it takes up to a page of nodes after
// the last planned bound and chains on while it finds full pages (nodes added since the plan).
import { UnrecoverableError } from 'bullmq';
import { encodePage, type EncodedPage, type NodeInput } from '../matching/encodedPage.ts';
import { serializePage } from '../matching/pageCodec.ts';
import { getGroup, groupConfiguration } from '../groups/catalog.ts';
import { GroupSettingsError, groupSettings, type GroupSettings } from '../groups/groupSettings.ts';
import { lapTimer } from '../shared/lapTimer.ts';
import type { Processor, WorkerDeps } from '../shared/processor.ts';
import { beginCycle } from './beginCycle.ts';
import { enqueueFetchPages } from './cycleJobs.ts';
import { runCycleJob } from './cycleJob.ts';
import { storePage, type CycleRow } from './cycleStore.ts';
import { fetchNodePage, type NodeRow } from './nodePages.ts';
import { endOfChain, planPages } from './planCycle.ts';

/** A page of node rows encoded for scoring, with the group's LSH and bipartite settings. */
export function encodeNodePage(rows: NodeRow[], settings: Pick<GroupSettings, 'lsh' | 'partition'>): EncodedPage {
  const nodes: NodeInput[] = rows.map((r) => ({ referenceId: r.reference_id, type: r.type, metadata: r.metadata as NodeInput['metadata'] }));
  return encodePage(nodes, { lsh: settings.lsh ?? undefined, partition: settings.partition ?? undefined });
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
    const settings = cycle.settings ?? await settingsNow(deps, cycle);
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
      const page = encodeNodePage(rows, settings);
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
    const end = await endOfChain(deps, cycle, p, p.pageIndex + (rows.length > 0 ? 1 : 0));
    return { nodes: rows.length, ...end, ms };
  });
};


/**
 * The group's settings now, for a cycle that recorded none (begun before cycles did, or with
 * settings that did not parse). A configuration error fails the cycle at once: a retry cannot fix it.
 */
export async function settingsNow(deps: Pick<WorkerDeps, 'cfg' | 'pool'>, cycle: CycleRow): Promise<GroupSettings> {
  const group = await getGroup(deps.pool, cycle.groupId);
  if (!group) throw new UnrecoverableError(`group ${cycle.groupId} was deleted`);
  try {
    return groupSettings(deps.cfg, group, await groupConfiguration(deps.pool, group.id));
  } catch (err) {
    if (err instanceof GroupSettingsError) throw new UnrecoverableError(`group ${group.name}: ${err.message}`);
    throw err;
  }
}
