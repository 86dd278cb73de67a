// Job ids and enqueueing of perfect-match-group. The run for a potential cycle has one id,
// derived from the cycle: the cycle's finalize, the sweep and the demo all add that one job, and
// BullMQ ignores an id it already holds, so a cycle's perfect run happens once. Manual runs and
// dry runs are jobs of their own.
import type { Job, Queue } from 'bullmq';
import { JOB, jobId, type PerfectMatchGroupPayload } from '../shared/queues.ts';

export type PerfectTrigger =
  | { potentialCycleId: string }
  | { manual: 'run'; force?: boolean }
  | { manual: 'dry-run' };

export function perfectJobId(groupId: string, trigger: PerfectTrigger, now = Date.now()): string {
  return 'potentialCycleId' in trigger ? jobId('perfect', trigger.potentialCycleId) : jobId('perfect', groupId, trigger.manual, now);
}

/** Adds the perfect-match-group job of a group for this trigger to the perfect queue. */
export function enqueuePerfectMatch(queue: Queue, group: { id: string; domainId: string }, trigger: PerfectTrigger): Promise<Job> {
  const data: PerfectMatchGroupPayload = { groupId: group.id, domainId: group.domainId };
  if ('potentialCycleId' in trigger) data.potentialCycleId = trigger.potentialCycleId;
  else if (trigger.manual === 'dry-run') data.dryRun = true;
  else data.force = trigger.force ?? false;
  // a dry run is a question, asked once: a retry would only answer it late
  const opts = { jobId: perfectJobId(group.id, trigger), ...('manual' in trigger && trigger.manual === 'dry-run' ? { attempts: 1 } : {}) };
  return queue.add(JOB.perfectMatchGroup, data, opts);
}
