// The first page of a cycle begins it: group lock, domain permit, cycle row, fencing token and the
// last run PENDING — or it says why the cycle is skipped.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { getGroup, groupConfiguration } from '../groups/catalog.ts';
import { GroupSettingsError, groupSettings, settingsFingerprint, type GroupSettings } from '../groups/groupSettings.ts';
import { coordinationContext } from '../shared/coordination/context.ts';
import { admitFencedWrite } from '../shared/coordination/fencing.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { withTransaction } from '../shared/db.ts';
import type { WorkerDeps } from '../shared/processor.ts';
import type { FetchPagePayload } from '../shared/queues.ts';
import { acquireCycleHolds } from './cycleHolds.ts';
import { getCycle, insertCycle, lastCompletedSettingsHash, recordGroupHadMatches, setLastRun, type CycleRow } from './cycleStore.ts';

export type Begin = { cycle: CycleRow } | { skipped: string };

/** The first page of a cycle: takes the holds and records the cycle, or says why it is skipped. */
export async function beginCycle(job: Job<FetchPagePayload>, deps: WorkerDeps): Promise<Begin> {
  const p = job.data;
  const existing = await getCycle(deps.pool, p.cycleId);
  if (existing) return { cycle: existing };
  const group = await getGroup(deps.pool, p.groupId);
  if (!group || group.domainId !== p.domainId) throw new UnrecoverableError(`group ${p.groupId} of domain ${p.domainId} does not exist`);
  // Settings that do not parse leave the cycle without any: its first job fails it for good, so
  // that the failure is recorded and counted like any other (fetchPage.ts, settingsNow).
  let settings: GroupSettings | null = null;
  try {
    settings = groupSettings(deps.cfg, group, await groupConfiguration(deps.pool, group.id));
  } catch (err) {
    if (!(err instanceof GroupSettingsError)) throw err;
  }
  const settingsHash = settings ? settingsFingerprint(settings) : null;
  let incremental = p.incremental;
  const lastHash = incremental && settingsHash ? await lastCompletedSettingsHash(deps.pool, p.groupId) : undefined;
  if (lastHash !== undefined && lastHash !== settingsHash) {
    // the group's rows were scored with other settings: only a full recompute makes them right
    deps.log.info({ settingsHash, lastHash }, 'group settings changed since the last completed cycle: running a full recompute');
    incremental = false;
  }
  if (incremental) {
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
  const cycle = { cycleId: p.cycleId, groupId: p.groupId, domainId: p.domainId, mode: incremental ? 'INCREMENTAL' : 'FULL', lockToken: got.lockToken, permitToken: got.permitToken, settings, settingsHash } as const;
  // One transaction: a first page dying between recording the cycle and marking the run PENDING
  // would leave a cycle its retry takes as begun, whose last page then plans nothing.
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
