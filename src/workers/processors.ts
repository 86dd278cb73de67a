// Which processor runs each job name, per queue. Each pipeline registers its processors here.
import type { Config } from '../shared/config.ts';
import type { QueueName } from '../shared/queues.ts';
import { importFile } from './importFile.ts';
import { buildChunkPair } from '../potential/buildChunkPair.ts';
import { fetchPage } from '../potential/fetchPage.ts';
import { finalizeGroup } from '../potential/finalizeGroup.ts';
import { flushGroup } from '../potential/flushGroup.ts';
import type { ProcessorMap } from './processor.ts';
import { perfectMatchGroup, solverPool } from './perfectMatchGroup.ts';
import { scoringPool } from '../potential/scoringPool.ts';

export const PROCESSORS: Record<QueueName, ProcessorMap> = {
  import: { 'import-file': importFile },
  potential: { 'fetch-page': fetchPage, 'build-chunk-pair': buildChunkPair, 'flush-group': flushGroup, 'finalize-group': finalizeGroup },
  perfect: { 'perfect-match-group': perfectMatchGroup },
};

/**
 * What a worker process starts for a queue before taking its first job: its threads, whose start
 * and module load would otherwise fall into the first job (~0.3 s, in every new replica).
 */
export const PREPARE: Record<QueueName, (cfg: Config) => void> = {
  import: () => undefined,
  potential: (cfg) => void scoringPool(cfg.scoringThreads),
  perfect: () => void solverPool(),
};
