// The faults of the chaos suite, at random points chosen by a seeded generator, so that a
// printed seed (CHAOS_SEED) replays the same choices: SIGKILL of a worker and a replacement,
// a PostgreSQL restart, a Redis restart (SIGKILL, AOF reload), and a worker cut off from both
// servers through its proxies for a while. Against a Redis Cluster the Redis fault is the SIGKILL
// of the master holding matchflow's hash slot, which its replica replaces (there is then no
// proxy to cut: a partition cuts PostgreSQL only).
import { seededRandom } from '../../../src/synthetic/random.ts';
import type { RunContext } from './pipelineRun.ts';

export type FaultKind = 'kill-worker' | 'restart-postgres' | 'restart-redis' | 'kill-redis-master' | 'partition-worker';

export interface InjectedFault {
  atMs: number;
  kind: FaultKind;
  detail: string;
}

export interface FaultOptions {
  seed: number;
  /** at most this many faults in a run */
  max: number;
  /** pause before each fault, uniformly within [min, max] ms */
  gapMs: [number, number];
}

const KINDS: Array<[FaultKind, number]> = [['kill-worker', 0.35], ['restart-postgres', 0.2], ['restart-redis', 0.2], ['partition-worker', 0.25]];

/** Injects faults until the run is done or `max` were injected; returns what it did, in order. */
export function faultInjector(opts: FaultOptions, log: InjectedFault[]): (ctx: RunContext) => Promise<void> {
  const rnd = seededRandom(opts.seed);
  const pick = (): FaultKind => {
    let t = rnd();
    for (const [k, w] of KINDS) {
      if (t < w) return k;
      t -= w;
    }
    return KINDS[KINDS.length - 1][0];
  };
  return async (ctx) => {
    const t0 = Date.now();
    for (let i = 0; i < opts.max; i++) {
      const gap = opts.gapMs[0] + rnd() * (opts.gapMs[1] - opts.gapMs[0]);
      // draw every choice before waiting, so that the sequence depends on the seed alone
      const kind = pick();
      const slot = Math.floor(rnd() * ctx.fleet.size);
      const mode = rnd() < 0.5 ? 'fast' : 'immediate';
      const cutMs = 1000 + Math.floor(rnd() * 4000);
      const end = Date.now() + gap;
      while (Date.now() < end && !ctx.done()) await new Promise((r) => setTimeout(r, 50));
      if (ctx.done()) return;
      const atMs = Date.now() - t0;
      switch (kind) {
        case 'kill-worker':
          await ctx.fleet.killAndReplace(slot);
          log.push({ atMs, kind, detail: `slot ${slot}` });
          break;
        case 'restart-postgres':
          await ctx.cluster.pg.restart(mode);
          log.push({ atMs, kind, detail: mode });
          break;
        case 'restart-redis': {
          const { redis, redisCluster } = ctx.cluster;
          if (redis) {
            await redis.restart();
            log.push({ atMs, kind, detail: 'SIGKILL + AOF reload' });
          } else if (redisCluster) {
            // only while a replica is there to take over: a master without one takes the cluster down for good
            const key = `${ctx.cfg.queuePrefix}:any`;
            if ((await redisCluster.replicasOf(key)) === 0) break;
            const dead = await redisCluster.killMasterOf(key);
            const promoted = await redisCluster.waitForNewMaster(key, dead);
            log.push({ atMs, kind: 'kill-redis-master', detail: `SIGKILL of master ${dead}, replica ${promoted} promoted` });
          }
          break;
        }
        case 'partition-worker':
          log.push({ atMs, kind, detail: `slot ${slot} for ${cutMs} ms` });
          await ctx.fleet.partition(slot, cutMs);
          break;
      }
    }
  };
}
