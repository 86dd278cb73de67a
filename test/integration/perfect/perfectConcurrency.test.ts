// MATCH_MAX_CONCURRENT_GROUPS: at most that many perfect runs of one domain are inside at once,
// across every worker (a Redis semaphore per domain). A job that finds no permit waits (delayed)
// without using an attempt; a run whose permit lapsed cannot overwrite a newer run's result.
import { expect } from 'chai';
import type { Job } from 'bullmq';
import type { GroupRow } from '../../../src/groups/catalog.ts';
import { lastPerfectRun } from '../../../src/perfect/lastRuns.ts';
import { enqueuePerfectMatch } from '../../../src/perfect/perfectJobs.ts';
import { recordFencedRun, savePerfectRun } from '../../../src/perfect/savePerfectMatches.ts';
import { coordinationContext } from '../../../src/shared/coordination/context.ts';
import { RESOURCE } from '../../../src/shared/coordination/keys.ts';
import { semaphoreState } from '../../../src/shared/coordination/semaphore.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { createRedis, type RedisClient } from '../../../src/shared/redis.ts';
import { seedPotentialGroup, type SeededGroup } from '../../support/seedPotentialMatches.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

interface Observed {
  /** most permits of the domain held at once, polled while the jobs ran */
  maxHolders: number;
  /** each run's [started_at, finished_at] as last_run_perfect_matches recorded them (inside the permit) */
  intervals: Array<[number, number]>;
  jobs: Job[];
}

/** Runs the perfect stage of `groups` (one domain) at once on workers with room for all, watching the domain's permits. */
async function runAtOnce(env: WorkerEnv, groups: SeededGroup[]): Promise<Observed> {
  const queue = openQueue(env.cfg, QUEUE.perfect);
  const redis = createRedis(env.cfg);
  try {
    const domainId = groups[0].group.domainId;
    const permits = RESOURCE.perfectGroups(domainId).name;
    let maxHolders = 0;
    let watching = true;
    const watch = (async (r: RedisClient) => {
      const ctx = coordinationContext(env.cfg, r);
      while (watching) {
        maxHolders = Math.max(maxHolders, (await semaphoreState(ctx, permits)).holders.length);
        await new Promise((res) => setTimeout(res, 10));
      }
    })(redis);
    const jobs = await Promise.all(groups.map((s) => enqueuePerfectMatch(queue, { id: s.group.id, domainId }, { potentialCycleId: s.cycleId })));
    await until('every perfect run to complete', async () => (await Promise.all(jobs.map((j) => j.isCompleted()))).every(Boolean), { timeoutMs: 120_000 });
    watching = false;
    await watch;
    const intervals: Array<[number, number]> = [];
    for (const s of groups) {
      const { rows } = await env.pool.query('SELECT started_at, finished_at, status FROM last_run_perfect_matches WHERE group_id = $1', [s.group.id]);
      expect(rows[0].status).to.equal('COMPLETED');
      intervals.push([rows[0].started_at.getTime(), rows[0].finished_at.getTime()]);
    }
    return { maxHolders, intervals, jobs: await Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!))!)) };
  } finally {
    redis.disconnect();
    await queue.close();
  }
}

const overlapping = (xs: Array<[number, number]>): number => {
  let n = 0;
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) if (xs[i][0] < xs[j][1] && xs[j][0] < xs[i][1]) n++;
  return n;
};

/** Three groups of one domain, each a few seconds of blossom. */
function seedThree(env: WorkerEnv, tag: string): Promise<SeededGroup[]> {
  return Promise.all([1, 2, 3].map((i) => seedPotentialGroup(env.pool, {
    name: `${tag}-${i}`, matchType: 'SYMMETRIC', algorithmId: 'blossom', nodes: 900, edgesPerNode: 6, seed: i,
  })));
}

describe('perfect runs per domain (MATCH_MAX_CONCURRENT_GROUPS)', function () {
  this.timeout(240_000);

  it('limit 1: three groups of one domain run one at a time, and all complete without using attempts to wait', async () => {
    const env = await createWorkerEnv('pconc1', {
      overrides: { maxConcurrentGroups: 1, perfectPermitRetryMs: 50, retryDelayMs: 50 }, workers: { queues: ['perfect'], concurrency: 3 },
    });
    try {
      const groups = await seedThree(env, 'one');
      const seen = await runAtOnce(env, groups);
      expect(seen.maxHolders).to.equal(1);
      expect(overlapping(seen.intervals), JSON.stringify(seen.intervals)).to.equal(0);
      // the ones that found the domain busy were started again after waiting, with no attempt used
      expect(seen.jobs.map((j) => j.attemptsMade)).to.deep.equal([1, 1, 1]);
      expect(seen.jobs.some((j) => (j.attemptsStarted ?? 0) > 1), 'some job waited for the permit').to.equal(true);
      const perm = await semaphoreState(coordinationContext(env.cfg, env.workers!.deps.redis), RESOURCE.perfectGroups(groups[0].group.domainId).name);
      expect(perm.holders, 'every permit was given back').to.deep.equal([]);
    } finally {
      await env.cleanup();
    }
  });

  it('limit 3: the same three groups do run at once (what the limit of 1 prevented)', async () => {
    const env = await createWorkerEnv('pconc3', {
      overrides: { maxConcurrentGroups: 3, perfectPermitRetryMs: 50 }, workers: { queues: ['perfect'], concurrency: 3 },
    });
    try {
      const seen = await runAtOnce(env, await seedThree(env, 'three'));
      expect(seen.maxHolders).to.be.greaterThan(1);
      expect(overlapping(seen.intervals)).to.be.greaterThan(0);
    } finally {
      await env.cleanup();
    }
  });

  it('a run whose permit lapsed cannot overwrite the result of a run with a newer permit', async () => {
    const env = await createWorkerEnv('pfence');
    try {
      const seed = await seedPotentialGroup(env.pool, { name: 'fenced', matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 10, edgesPerNode: 2 });
      const g: GroupRow = seed.group;
      const run = { groupId: g.id, domainId: g.domainId, cycleId: seed.cycleId, potentialCycleId: seed.cycleId };
      expect(await recordFencedRun(env.pool, { ...run, status: 'PENDING' }, { token: 7 })).to.equal(true);
      const pairs = { left: Int32Array.from([0]), right: Int32Array.from([1]), score: Float64Array.from([0.5]) };
      const rows = { ...run, pairs, leftRefs: seed.refs, rightRefs: [], strategy: 'greedy', nodeCount: 10 };
      expect(await savePerfectRun(env.pool, rows, { token: 6 }, { batchSize: 100 }), 'the older token').to.equal(null);
      expect(await recordFencedRun(env.pool, { ...run, status: 'FAILED', failureReason: 'late' }, { token: 6 })).to.equal(false);
      expect((await env.pool.query('SELECT count(*)::int AS n FROM perfect_matches WHERE group_id = $1', [g.id])).rows[0].n).to.equal(0);
      expect(await lastPerfectRun(env.pool, g.id)).to.deep.include({ status: 'PENDING' });
      expect(await savePerfectRun(env.pool, rows, { token: 7 }, { batchSize: 100 }), 'the newest token, again (a retried job)').to.equal(1);
      expect(await lastPerfectRun(env.pool, g.id)).to.deep.include({ status: 'COMPLETED' });
    } finally {
      await env.cleanup();
    }
  });
});
