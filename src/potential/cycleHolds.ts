// The two Redis holds a potential-match cycle keeps from its first page to finalize: the group's
// cycle lock (one cycle per group) and a permit of the domains semaphore (at most
// MATCH_MAX_CONCURRENT_DOMAINS cycles at once, one permit per group task as in the seed's
// scheduler). The cycle spans many jobs on many workers, so no process keeps them alive for the
// whole cycle: each job of the cycle extends them while it runs, and their TTL covers the time a
// job waits in the queue. A hold that lapses anyway is harmless for correctness: writes of the
// cycle are fenced with the lock's token (flush and finalize call admitFencedWrite).
import type { Config } from '../shared/config.ts';
import type { CoordinationContext } from '../shared/coordination/context.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { acquireLock, lockHolder, releaseLock, resumeLock } from '../shared/coordination/mutex.ts';
import { acquirePermit, releasePermit, resumePermit, semaphoreState } from '../shared/coordination/semaphore.ts';

export interface CycleTokens {
  groupId: string;
  lockToken: number;
  permitToken: number | null;
}

export type AcquireResult = { ok: true; lockToken: number; permitToken: number } | { ok: false; reason: 'group-busy' | 'no-domain-permit' };

/**
 * The owner recorded with a cycle's holds. A first page that took them and then died (SIGKILL,
 * a cut connection) before recording the cycle is retried: the retry recognizes them as its own
 * and resumes them. Without that it found its own lock taken and skipped the cycle as "another
 * cycle of the group is running".
 */
export const cycleOwner = (cycleId: string): string => `cycle ${cycleId}`;

/** Takes the group's cycle lock, then a domain permit; gives the lock back when no permit is free. */
export async function acquireCycleHolds(cfg: Config, ctx: CoordinationContext, groupId: string, cycleId: string): Promise<AcquireResult> {
  const own: CoordinationContext = { ...ctx, owner: cycleOwner(cycleId) };
  const lockName = RESOURCE.groupCycle(groupId).name;
  const hold = { ttlMs: cfg.groupLockTtlMs, autoRefresh: false };
  const lockToken = (await acquireLock(own, lockName, hold))?.token ?? (await resumeOwnLock(own, lockName, hold.ttlMs));
  if (lockToken === null) return { ok: false, reason: 'group-busy' };
  const permitToken = (await resumeOwnPermit(own, cfg.domainSemaphoreTtlMs))
    ?? (await acquirePermit(own, RESOURCE.domains.name, { limit: cfg.maxConcurrentDomains, ttlMs: cfg.domainSemaphoreTtlMs, autoRefresh: false }))?.token;
  if (permitToken === undefined) {
    await releaseLock(own, lockName, lockToken);
    return { ok: false, reason: 'no-domain-permit' };
  }
  return { ok: true, lockToken, permitToken };
}

async function resumeOwnLock(ctx: CoordinationContext, name: string, ttlMs: number): Promise<number | null> {
  const holder = await lockHolder(ctx, name);
  if (holder?.owner !== ctx.owner) return null;
  return (await resumeLock(ctx, name, holder.token, { ttlMs, autoRefresh: false }))?.token ?? null;
}

async function resumeOwnPermit(ctx: CoordinationContext, ttlMs: number): Promise<number | null> {
  const mine = (await semaphoreState(ctx, RESOURCE.domains.name)).holders.find((h) => h.owner === ctx.owner);
  if (!mine) return null;
  return (await resumePermit(ctx, RESOURCE.domains.name, mine.token, { ttlMs, autoRefresh: false }))?.token ?? null;
}

/** Extends both holds now and every third of their TTL until the returned function is called. */
export function keepCycleAlive(cfg: Config, ctx: CoordinationContext, t: CycleTokens, onLapse: (what: string) => void): () => void {
  // a hold Redis refused has lapsed; one that could not be extended (Redis away, a failover) may not have
  const outcome = (what: string) => [(held: unknown) => (held ? null : `${what}: lapsed`), (err: Error) => `${what}: not extended (${err.message})`] as const;
  const extend = async () => {
    const lock = await resumeLock(ctx, RESOURCE.groupCycle(t.groupId).name, t.lockToken, { ttlMs: cfg.groupLockTtlMs, autoRefresh: false })
      .then(...outcome('group lock'));
    if (lock) onLapse(lock);
    if (t.permitToken !== null) {
      const permit = await resumePermit(ctx, RESOURCE.domains.name, t.permitToken, { ttlMs: cfg.domainSemaphoreTtlMs, autoRefresh: false })
        .then(...outcome('domain permit'));
      if (permit) onLapse(permit);
    }
  };
  void extend();
  const timer = setInterval(() => void extend(), Math.min(cfg.groupLockTtlMs, cfg.domainSemaphoreTtlMs) / 3);
  timer.unref();
  return () => clearInterval(timer);
}

export async function releaseCycleHolds(ctx: CoordinationContext, t: CycleTokens): Promise<void> {
  await releaseLock(ctx, RESOURCE.groupCycle(t.groupId).name, t.lockToken);
  if (t.permitToken !== null) await releasePermit(ctx, RESOURCE.domains.name, t.permitToken);
}
