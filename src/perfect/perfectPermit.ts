// At most MATCH_MAX_CONCURRENT_GROUPS perfect-match runs of one domain at once: a permit of the
// domain's Redis semaphore, held (and refreshed) by the job while it runs. A job that finds no
// permit free moves itself to delayed and tries again later, without using an attempt. A job run
// again after its worker died resumes the permit it had, if it is still live (the permit carries
// the job id as owner), instead of waiting for it to expire.
// A permit that lapses while its job runs (a paused process) lets another run in; the writes are
// fenced with the permit's token per group, so the older run cannot overwrite the newer one's result.
import { DelayedError, type Job } from 'bullmq';
import { coordinationContext } from '../shared/coordination/context.ts';
import type { HeldPermit } from '../shared/coordination/semaphore.ts';
import { acquirePermit, resumePermit, semaphoreState } from '../shared/coordination/semaphore.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import type { WorkerDeps } from '../shared/processor.ts';

const ownerOf = (job: Job): string => `perfect job ${job.id}`;

/** The job's permit for its domain; when none is free, moves the job to delayed and throws DelayedError. */
export async function takePerfectPermit(job: Job, deps: Pick<WorkerDeps, 'cfg' | 'redis' | 'log' | 'token'>, domainId: string): Promise<HeldPermit> {
  const { cfg } = deps;
  const ctx = coordinationContext(cfg, deps.redis, ownerOf(job));
  const name = RESOURCE.perfectGroups(domainId).name;
  const hold = {
    ttlMs: cfg.domainSemaphoreTtlMs,
    onLost: (err: Error) => deps.log.warn({ err: err.message }, 'perfect run lost its permit: its write is fenced'),
  };
  const mine = (await semaphoreState(ctx, name)).holders.find((h) => h.owner === ctx.owner);
  const permit = (mine && await resumePermit(ctx, name, mine.token, hold)) || await acquirePermit(ctx, name, { ...hold, limit: cfg.maxConcurrentGroups });
  if (permit) return permit;
  deps.log.debug({ domainId, limit: cfg.maxConcurrentGroups }, 'no perfect-run permit free for the domain: waiting');
  await job.moveToDelayed(Date.now() + cfg.perfectPermitRetryMs, deps.token);
  throw new DelayedError();
}
