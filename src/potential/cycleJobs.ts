// Job ids and enqueueing of a potential-match cycle. Every id is derived from the cycle id, so
// that a retried job that enqueues again adds nothing (BullMQ ignores a job id it already has).
//
// The cycle: fetch-page N0, which enqueues N1 … Nn at once (then E0, which enqueues E1 … Em, in
// incremental runs; fetchPage.ts); the last page adds the flow
//   finalize-group ← flush-group ← build-chunk-pair (one per row page).
// Every flow child sets failParentOnFailure, so that a child failing for good fails its parent
// instead of leaving it in waiting-children for ever (bullmq #3362).
import type { FlowProducer, Queue } from 'bullmq';
import type { Config } from '../shared/config.ts';
import { openFlowProducer, openQueue } from '../shared/queue.ts';
import { redisTargetId } from '../shared/redis.ts';
import { defaultJobOptions, JOB, jobId, QUEUE, type CycleRef, type FetchPagePayload, type PageKind } from '../shared/queues.ts';

export const fetchJobId = (cycleId: string, kind: PageKind, index: number): string => jobId(cycleId, 'fetch', kind, index);
export const buildJobId = (cycleId: string, kind: PageKind, index: number): string => jobId(cycleId, 'build', kind, index);
export const flushJobId = (cycleId: string): string => jobId(cycleId, 'flush');
export const finalizeJobId = (cycleId: string): string => jobId(cycleId, 'finalize');

// One Queue and one FlowProducer per process and configuration: jobs enqueue from inside other
// jobs many times per cycle, and a connection per enqueue would churn.
const queues = new Map<string, { queue: Queue; flows: FlowProducer }>();

function handles(cfg: Config) {
  const id = `${redisTargetId(cfg)}|${cfg.queuePrefix}`;
  let h = queues.get(id);
  if (!h) {
    h = { queue: openQueue(cfg, QUEUE.potential), flows: openFlowProducer(cfg) };
    queues.set(id, h);
  }
  return h;
}

export function potentialQueue(cfg: Config): Queue {
  return handles(cfg).queue;
}

/** Closes this process's handles (worker shutdown, tests). */
export async function closeCycleQueues(): Promise<void> {
  const all = [...queues.values()];
  queues.clear();
  await Promise.all(all.flatMap((h) => [h.queue.close(), h.flows.close()]));
}

export async function enqueueFetchPages(cfg: Config, pages: FetchPagePayload[]): Promise<void> {
  if (pages.length === 0) return;
  await potentialQueue(cfg).addBulk(pages.map((p) => ({ name: JOB.fetchPage, data: p, opts: { jobId: fetchJobId(p.cycleId, p.kind, p.pageIndex) } })));
}

/** Adds the cycle's flow unless a previous attempt of the planning job already did. */
export async function enqueueCycleFlow(cfg: Config, cycle: CycleRef, lockToken: number, rowPages: Array<{ kind: PageKind; index: number }>): Promise<void> {
  const { queue, flows } = handles(cfg);
  if (await queue.getJob(finalizeJobId(cycle.cycleId))) return;
  const child = { ...defaultJobOptions(cfg), failParentOnFailure: true };
  await flows.add({
    name: JOB.finalizeGroup,
    queueName: QUEUE.potential,
    data: { ...cycle, fencingToken: lockToken },
    opts: { ...defaultJobOptions(cfg), jobId: finalizeJobId(cycle.cycleId) },
    children: [{
      name: JOB.flushGroup,
      queueName: QUEUE.potential,
      data: cycle,
      opts: { ...child, jobId: flushJobId(cycle.cycleId) },
      children: rowPages.map((p) => ({
        name: JOB.buildChunkPair,
        queueName: QUEUE.potential,
        data: { ...cycle, kind: p.kind, i: p.index },
        opts: { ...child, jobId: buildJobId(cycle.cycleId, p.kind, p.index) },
      })),
    }],
  });
}
