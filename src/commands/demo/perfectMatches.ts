// The demo's perfect-match stage: finalize-group already enqueued perfect-match-group for each
// group's cycle; perfect workers in this process run them (blossom for the peer group, optimal
// assignment for mentors × mentees) and the stage waits for each job. A group's time is its job's
// own run (processedOn → finishedOn): the jobs run side by side, so the second is often done by
// the time the first has been waited for.
import { QueueEvents } from 'bullmq';
import { bullConnection, openQueue } from '../../shared/queue.ts';
import { QUEUE } from '../../shared/queues.ts';
import { enqueuePerfectMatch } from '../../perfect/perfectJobs.ts';
import { lastPotentialRun } from '../../perfect/lastRuns.ts';
import { startWorkers } from '../../workers/runtime.ts';
import type { DemoStage } from './stage.ts';

export const perfectMatches: DemoStage = {
  name: 'perfect matches (perfect-match-group)',
  async run(ctx) {
    const workers = await startWorkers(ctx.cfg, { queues: [QUEUE.perfect], pool: ctx.pool });
    const queue = openQueue(ctx.cfg, QUEUE.perfect);
    const events = new QueueEvents(QUEUE.perfect, { connection: bullConnection(ctx.cfg), prefix: ctx.cfg.queuePrefix });
    try {
      await events.waitUntilReady();
      for (const { group } of ctx.domain.groups) {
        const potential = await lastPotentialRun(ctx.pool, group.id);
        if (!potential?.cycleId) throw new Error(`group ${group.name} has no potential run`);
        // the job finalize-group enqueued; adding it again with the same id is a no-op
        const job = await enqueuePerfectMatch(queue, group, { potentialCycleId: potential.cycleId });
        if (!(await job.isCompleted())) await job.waitUntilFinished(events);
        const done = await queue.getJob(job.id!);
        if (!done?.processedOn || !done.finishedOn) throw new Error(`the perfect-match-group job of group ${group.name} left no run times`);
        const t = ctx.timings.get(group.id) ?? {};
        t.perfect = (done.finishedOn - done.processedOn) / 1000;
        ctx.timings.set(group.id, t);
      }
    } finally {
      await events.close();
      await queue.close();
      await workers.close();
    }
  },
};
