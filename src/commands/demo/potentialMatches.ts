// The demo's potential-match stage: one cycle per group (metadata/LSH for the peer group,
// bipartite flat for mentors × mentees), run by potential workers in this process, the same jobs
// as a scheduled cycle.
import { closeCycleQueues } from '../../potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../../potential/startCycle.ts';
import { QUEUE } from '../../shared/queues.ts';
import { startWorkers } from '../../workers/runtime.ts';
import type { DemoStage } from './stage.ts';

export const potentialMatches: DemoStage = {
  name: 'potential matches (fetch-page → build-chunk-pair → flush-group → finalize-group)',
  async run(ctx) {
    const workers = await startWorkers(ctx.cfg, { queues: [QUEUE.potential], pool: ctx.pool });
    try {
      const started: Array<[string, string, number]> = [];
      for (const { group } of ctx.domain.groups) started.push([group.id, await startCycle(ctx.cfg, group), Date.now()]);
      for (const [groupId, cycleId, t0] of started) {
        const out = await waitForCycle(ctx.cfg, ctx.pool, groupId, cycleId);
        if (out.status === 'FAILED') throw new Error(`potential cycle of group ${groupId} failed: ${out.lastRun.failureReason}`);
        const t = ctx.timings.get(groupId) ?? {};
        t.potential = (Date.now() - t0) / 1000;
        ctx.timings.set(groupId, t);
      }
    } finally {
      await workers.close();
      await closeCycleQueues();
    }
  },
};
