// Job ids and enqueueing of perfect-match-group. The run for a potential cycle has one id,
// derived from the cycle: the cycle's finalize, the sweep and the demo all add that one job, and
// BullMQ ignores an id it already holds, so a cycle's perfect run happens once. Only the sweep
// runs it again, and only once it has failed for good. Manual runs and dry runs are jobs of their own.
import type { Job, Queue } from 'bullmq';
import { JOB, jobId, type PerfectMatchGroupPayload } from '../shared/queues.ts';

export type PerfectTrigger =
  | { potentialCycleId: string; retryFailed?: boolean }
  | { manual: 'run'; force?: boolean }
  | { manual: 'dry-run' };

export function perfectJobId(groupId: string, trigger: PerfectTrigger, now = Date.now()): string {
  return 'potentialCycleId' in trigger ? jobId('perfect', trigger.potentialCycleId) : jobId('perfect', groupId, trigger.manual, now);
}

/** What enqueuePerfectMatch did: added the job, found it there, or retried it (it had failed for good). */
export type EnqueueOutcome = 'added' | 'present' | 'retried';

/**
 * Adds the perfect-match-group job of a group for this trigger to the perfect queue. A cycle's job
 * that is already there (waiting, running or done) is left as it is, except that with
 * `retryFailed` a job that failed for good is retried, with its attempts counted afresh.
 */
export async function enqueuePerfectMatch(queue: Queue, group: { id: string; domainId: string }, trigger: PerfectTrigger): Promise<Job> {
  return (await enqueuePerfectRun(queue, group, trigger)).job;
}

export async function enqueuePerfectRun(queue: Queue, group: { id: string; domainId: string }, trigger: PerfectTrigger): Promise<{
  job: Job; outcome: EnqueueOutcome;
}> {
  const data: PerfectMatchGroupPayload = { groupId: group.id, domainId: group.domainId };
  if ('potentialCycleId' in trigger) data.potentialCycleId = trigger.potentialCycleId;
  else if (trigger.manual === 'dry-run') data.dryRun = true;
  else data.force = trigger.force ?? false;
  // a dry run is a question, asked once: a retry would only answer it late
  const id = perfectJobId(group.id, trigger);
  const opts = { jobId: id, ...('manual' in trigger && trigger.manual === 'dry-run' ? { attempts: 1 } : {}) };
  const existing = 'potentialCycleId' in trigger ? await queue.getJob(id) : undefined;
  if (!existing) return { job: await queue.add(JOB.perfectMatchGroup, data, opts), outcome: 'added' };
  if (!('potentialCycleId' in trigger && trigger.retryFailed) || !(await existing.isFailed())) return { job: existing, outcome: 'present' };
  try {
    await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return { job: existing, outcome: 'retried' };
  } catch (err) {
    // retried meanwhile by someone else, or removed: the job is taken care of either way
    if (await existing.isFailed().catch(() => false)) throw err;
    return { job: existing, outcome: 'present' };
  }
}
