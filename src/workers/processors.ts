// The processor registry: the one place that wires the pipelines to their queues. Each pipeline
// owns its processors and its thread module; the runtime is handed them from here.
import type { ProcessorMap, ThreadSpec } from '../shared/processor.ts';
import type { QueueName } from '../shared/queues.ts';
import { importFile } from '../import/importFile.ts';
import { buildChunkPair, SCORING_THREADS } from '../potential/buildChunkPair.ts';
import { fetchPage } from '../potential/fetchPage.ts';
import { finalizeGroup } from '../potential/finalizeGroup.ts';
import { flushGroup } from '../potential/flushGroup.ts';
import { perfectMatchGroup, SOLVER_THREADS } from '../perfect/perfectMatchGroup.ts';

export const PROCESSORS: Record<QueueName, ProcessorMap> = {
  import: { 'import-file': importFile },
  potential: { 'fetch-page': fetchPage, 'build-chunk-pair': buildChunkPair, 'flush-group': flushGroup, 'finalize-group': finalizeGroup },
  perfect: { 'perfect-match-group': perfectMatchGroup },
};

/** The threads each queue's jobs run their CPU work on. */
export const THREADS: Partial<Record<QueueName, ThreadSpec>> = {
  potential: SCORING_THREADS,
  perfect: SOLVER_THREADS,
};
