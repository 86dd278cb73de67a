// What a producer process starts for potential matches: the cycle scheduler. `matchflow producer`
// calls startPotentialScheduler.
//
// A BullMQ job scheduler (POTENTIAL_CRON in CRON_ZONE; upsertJobScheduler is idempotent per id,
// so every producer replica may upsert it) adds one plan job per tick to a producer-only queue.
// Every producer runs a worker on that queue, but only the holder of the scheduler leader lease
// plans: a replica that is not leader hands the job back (delayed by a third of the lease TTL)
// for the leader to take. Planning starts an incremental cycle for every active group with
// unprocessed nodes; the cycle id is derived from the tick and the group, so even a tick planned
// twice (a stalled plan job run again) enqueues each cycle once. A group whose circuit breaker is
// open (by default after 5 consecutive failed cycles, for 15 minutes) is skipped until the breaker
// lets a trial cycle through.
import { createHash } from 'node:crypto';
import { DelayedError, Queue, Worker } from 'bullmq';
import type { RedisClient } from '../shared/redis.ts';
import { readBreaker } from '../shared/circuitBreakerStore.ts';
import type { Config } from '../shared/config.ts';
import type { LeaderLease } from '../shared/coordination/leaderLease.ts';
import type { Pool } from '../shared/db.ts';
import { logger } from '../shared/logger.ts';
import { metrics } from '../shared/metrics.ts';
import { bullConnection } from '../shared/queue.ts';
import { defaultJobOptions } from '../shared/queues.ts';
import { createRedis } from '../shared/redis.ts';
import { startCycle } from '../potential/startCycle.ts';
import { startSchedulerLease, type SchedulerLease } from './schedulerLease.ts';

export const SCHEDULE_QUEUE = 'potential-schedule';
export const PLAN_JOB = 'plan-potential-cycles';
export const SCHEDULER_ID = 'potential-cycles';

/** A UUID-shaped id that is the same for the same tick and group. */
export function tickCycleId(tickId: string, groupId: string): string {
  const h = createHash('sha256').update(`${tickId}|${groupId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Starts one incremental cycle per active group with unprocessed nodes whose circuit breaker is
 * not open; returns their ids. `redis` reads the breakers (a connection of its own when absent).
 */
export async function planCycles(cfg: Config, pool: Pool, tickId: string, redis?: RedisClient): Promise<string[]> {
  const own = redis ? undefined : createRedis(cfg);
  try {
    return await planWith(cfg, pool, tickId, (redis ?? own)!);
  } finally {
    own?.disconnect();
  }
}

async function planWith(cfg: Config, pool: Pool, tickId: string, redis: RedisClient): Promise<string[]> {
  const { rows } = await pool.query<{ id: string; domain_id: string }>(
    `SELECT g.id, g.domain_id FROM matching_groups g JOIN domains d ON d.id = g.domain_id
     WHERE g.active AND d.active
       AND EXISTS (SELECT 1 FROM nodes n WHERE n.group_id = g.id AND n.domain_id = g.domain_id AND n.processed = false)
     ORDER BY g.id`);
  const ids: string[] = [];
  for (const g of rows) {
    const breaker = await readBreaker(redis, cfg, g.id);
    if (breaker.status === 'open') {
      metrics.circuitBreakerSkips.inc({ groupId: g.id });
      const reopensAt = new Date(breaker.reopensAt!).toISOString();
      logger().warn({ groupId: g.id, domainId: g.domain_id, tick: tickId, consecutiveFailures: breaker.consecutiveFailures, reopensAt },
        'circuit breaker open: cycle not started');
      continue;
    }
    if (breaker.status === 'half-open') {
      logger().info({ groupId: g.id, consecutiveFailures: breaker.consecutiveFailures }, 'circuit breaker half-open: starting a trial cycle');
    }
    ids.push(await startCycle(cfg, { id: g.id, domainId: g.domain_id }, { incremental: true, cycleId: tickCycleId(tickId, g.id) }));
  }
  return ids;
}

export interface PotentialScheduler {
  lease: LeaderLease;
  queue: Queue;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  /** cron pattern (default POTENTIAL_CRON; 6 fields, seconds first) */
  pattern?: string;
  /** the producer's scheduler lease (schedulerLease.ts), shared with the perfect sweep; default: one of its own */
  lease?: SchedulerLease;
}

export async function startPotentialScheduler(cfg: Config, pool: Pool, opts: SchedulerOptions = {}): Promise<PotentialScheduler> {
  const redis = createRedis(cfg);
  const own = opts.lease ? undefined : startSchedulerLease(cfg);
  const { lease } = opts.lease ?? own!;
  const queue = new Queue(SCHEDULE_QUEUE, { connection: bullConnection(cfg), prefix: cfg.queuePrefix, defaultJobOptions: defaultJobOptions(cfg) });
  await queue.upsertJobScheduler(SCHEDULER_ID, { pattern: opts.pattern ?? cfg.potentialCron, tz: cfg.cronZone }, {
    name: PLAN_JOB,
    opts: { removeOnComplete: { age: cfg.removeOnCompleteAgeSec }, removeOnFail: { age: cfg.removeOnFailAgeSec } },
  });
  const worker = new Worker(SCHEDULE_QUEUE, async (job, token) => {
    if (!lease.isLeader()) {
      await job.moveToDelayed(Date.now() + cfg.leaderLeaseTtlMs / 3, token);
      throw new DelayedError();
    }
    const cycles = await planCycles(cfg, pool, job.id ?? String(job.timestamp), redis);
    logger().info({ tick: job.id, epoch: lease.epoch, cycles: cycles.length }, 'potential cycles planned');
    return { epoch: lease.epoch, cycles };
  }, { connection: bullConnection(cfg), prefix: cfg.queuePrefix, concurrency: 1 });
  worker.on('error', (err) => logger().error({ err }, 'potential scheduler worker error'));
  await worker.waitUntilReady();
  return {
    lease,
    queue,
    async stop() {
      await worker.close();
      await queue.close();
      await own?.stop();
      redis.disconnect();
    },
  };
}
