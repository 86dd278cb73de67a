// Queue names, job names and the typed payload of every job. Types are the documentation.
import type { JobsOptions } from 'bullmq';
import { config, type Config } from './config.ts';

export const QUEUE = {
  import: 'import',
  potential: 'potential',
  perfect: 'perfect',
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export const JOB = {
  importFile: 'import-file',
  fetchPage: 'fetch-page',
  buildChunkPair: 'build-chunk-pair',
  flushGroup: 'flush-group',
  finalizeGroup: 'finalize-group',
  perfectMatchGroup: 'perfect-match-group',
} as const;
export type JobName = (typeof JOB)[keyof typeof JOB];

/** Where an import's rows come from: a file, an object, or a list of reference ids. */
export type ImportSource =
  | { kind: 'file'; path: string }
  | { kind: 's3'; url: string }
  | { kind: 'references'; referenceIds: string[] };

export interface ImportFilePayload {
  importJobId: string;
  domainId: string;
  groupId: string;
  source: ImportSource;
  /** node type given to rows without a `type` column */
  type?: string;
  fileName?: string;
  contentType?: string;
  /** the Kafka message that asked for this import: a job that finally fails is sent to the DLQ */
  origin?: KafkaOrigin;
}

/**
 * Where a Kafka request sits, not what it said: the job carries the request already (source,
 * type, …), and a copy of the message would double a large request in Redis.
 */
export interface KafkaOrigin {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}

/** Identifies one potential-match cycle of one group. */
export interface CycleRef {
  cycleId: string;
  domainId: string;
  groupId: string;
}

export interface KeysetCursor {
  createdAt: string;
  id: string;
}

/** 'N': nodes new in this cycle (every node in a full run); 'E': nodes of earlier cycles. */
export type PageKind = 'N' | 'E';

export interface FetchPagePayload extends CycleRef {
  pageIndex: number;
  /** exclusive lower bound of this page in (created_at, id) order; null for the first page */
  after: KeysetCursor | null;
  /**
   * Inclusive upper bound, for the pages the first page of a kind planned: the page is the nodes
   * in (after, upTo]. Absent for the last page, which takes up to a page of nodes after `after`
   * and chains on while it finds full pages (nodes added while the cycle runs).
   */
  upTo?: KeysetCursor;
  /** the first page of a kind: the upper bounds of pages 0 … n-1 once planned (kept for retries) */
  bounds?: KeysetCursor[];
  /** true: only unprocessed nodes are new; false: full recompute */
  incremental: boolean;
  /** which nodes this page holds (the chain fetches the N pages, then the E pages) */
  kind: PageKind;
}

/**
 * Row page `i` of kind `kind` against every column page it needs: an N page against all pages,
 * an E page against the N pages (incremental). Computes the complete top-K of its row nodes.
 */
export interface BuildChunkPairPayload extends CycleRef {
  kind: PageKind;
  i: number;
}

export type FlushGroupPayload = CycleRef;

export interface FinalizeGroupPayload extends CycleRef {
  /** fencing token of the group lock this cycle holds */
  fencingToken: number;
}

export interface PerfectMatchGroupPayload {
  domainId: string;
  groupId: string;
  /** the potential cycle that triggered this run, if any */
  potentialCycleId?: string;
  /** run even if nothing changed since the last perfect run */
  force?: boolean;
  /** compute and return what would be written, write nothing; implies force */
  dryRun?: boolean;
}

export interface JobPayloads {
  'import-file': ImportFilePayload;
  'fetch-page': FetchPagePayload;
  'build-chunk-pair': BuildChunkPairPayload;
  'flush-group': FlushGroupPayload;
  'finalize-group': FinalizeGroupPayload;
  'perfect-match-group': PerfectMatchGroupPayload;
}

/**
 * Retries with exponential back-off and bounded Redis memory. MATCH_MAX_RETRIES counts retries, as
 * the seed's match.max-retries ("retry count < 3", delay 1000 ms × 2^(retry-1)): 3 retries after
 * the first attempt, waiting 1 s, 2 s and 4 s — BullMQ's `attempts` counts the first one too.
 */
export function defaultJobOptions(cfg: Config = config()): JobsOptions {
  return {
    attempts: cfg.maxRetries + 1,
    backoff: { type: 'exponential', delay: cfg.retryDelayMs },
    removeOnComplete: { age: cfg.removeOnCompleteAgeSec },
    removeOnFail: { age: cfg.removeOnFailAgeSec },
  };
}

/** BullMQ custom job ids may not contain ':'. */
export function jobId(...parts: Array<string | number>): string {
  return parts.join('.').replace(/:/g, '_');
}
