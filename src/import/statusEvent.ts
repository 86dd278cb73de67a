// The NodesTransferJobExchange status event, published when an import ends.
// The success and failed lists are capped (STATUS_LIST_CAP); the counts are always complete.
import type { ImportOutcome } from './runImport.ts';

export interface NodesTransferJobExchange {
  jobId: string;
  groupId: string;
  domainId: string;
  status: 'COMPLETED' | 'FAILED';
  processed: number;
  total: number;
  successList: string[];
  failedList: string[];
  /** not in the seed's message: the counts behind the capped lists, and why a job failed */
  failed: number;
  duplicates: number;
  failureReason: string | null;
}

export function statusEvent(groupId: string, domainId: string, o: ImportOutcome, cap: number): NodesTransferJobExchange {
  return {
    jobId: o.jobId,
    groupId,
    domainId,
    status: o.status,
    processed: o.counts.processed,
    total: o.counts.total,
    successList: o.successSample.slice(0, cap),
    failedList: o.failedSample.slice(0, cap),
    failed: o.counts.failed,
    duplicates: o.counts.duplicates,
    failureReason: o.reason,
  };
}
