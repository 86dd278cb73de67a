// Starting a potential-match cycle of a group: enqueue its first page. The first page takes the
// group lock and a domain permit; a group already in a cycle skips the new one, and a group
// without new nodes is skipped by an incremental cycle.
import { randomUUID } from 'node:crypto';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { enqueueFetchPages, fetchJobId, potentialQueue } from './cycleJobs.ts';
import { getLastRun, type LastRun } from './cycleStore.ts';

export interface StartOptions {
  /** false: recompute the whole group; true (default): new nodes against all */
  incremental?: boolean;
  /** a given id makes the start idempotent (the scheduler derives it from the tick) */
  cycleId?: string;
}

export async function startCycle(cfg: Config, group: { id: string; domainId: string }, opts: StartOptions = {}): Promise<string> {
  const cycleId = opts.cycleId ?? randomUUID();
  await enqueueFetchPages(cfg, [{
    cycleId, groupId: group.id, domainId: group.domainId, kind: 'N', pageIndex: 0, after: null, incremental: opts.incremental ?? true,
  }]);
  return cycleId;
}

export type CycleOutcome = { status: 'COMPLETED' | 'FAILED'; lastRun: LastRun } | { status: 'SKIPPED'; reason: string };

/** Waits until the cycle completes, fails, or is skipped by its first page. */
export async function waitForCycle(
  cfg: Config, pool: Pool, groupId: string, cycleId: string, pollMs = cfg.coordinationRetryMs, timeoutMs = Infinity,
): Promise<CycleOutcome> {
  const deadline = Date.now() + timeoutMs;
  const ended = async (): Promise<CycleOutcome | null> => {
    const run = await getLastRun(pool, groupId);
    return run?.cycleId === cycleId && (run.status === 'COMPLETED' || run.status === 'FAILED') ? { status: run.status, lastRun: run } : null;
  };
  for (;;) {
    const run = await ended();
    if (run) return run;
    const first = await potentialQueue(cfg).getJob(fetchJobId(cycleId, 'N', 0));
    const value = first?.returnvalue as { skipped?: string } | null | undefined;
    if (value?.skipped) return { status: 'SKIPPED', reason: value.skipped };
    // a first page failing for good marks the run FAILED before BullMQ fails it: read the run again
    if (first && (await first.isFailed())) return (await ended()) ?? { status: 'SKIPPED', reason: `first page failed: ${first.failedReason}` };
    if (Date.now() > deadline) throw new Error(`cycle ${cycleId} did not finish within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
