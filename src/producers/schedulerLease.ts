// The leader lease of the producers' schedulers: every producer campaigns, and only the holder
// plans the potential cycles and runs the perfect sweep of a tick (the other replicas hand the
// tick's job back for the leader to take).
import type { Config } from '../shared/config.ts';
import { coordinationContext } from '../shared/coordination/context.ts';
import { RESOURCE } from '../shared/coordination/keys.ts';
import { LeaderLease } from '../shared/coordination/leaderLease.ts';
import { logger } from '../shared/logger.ts';
import { createRedis } from '../shared/redis.ts';

export interface SchedulerLease {
  lease: LeaderLease;
  stop(): Promise<void>;
}

/** Starts campaigning for the scheduler lease on a Redis connection of its own. */
export function startSchedulerLease(cfg: Config): SchedulerLease {
  const redis = createRedis(cfg);
  const lease = new LeaderLease(coordinationContext(cfg, redis), RESOURCE.scheduler.name, {
    ttlMs: cfg.leaderLeaseTtlMs,
    onElected: (epoch) => logger().info({ epoch }, 'scheduler: leader'),
    onDemoted: (err) => logger().warn({ err }, 'scheduler: no longer leader'),
  });
  lease.campaign();
  return {
    lease,
    async stop() {
      await lease.stop();
      redis.disconnect();
    },
  };
}
