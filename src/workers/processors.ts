// Which processor runs each job name, per queue. Each pipeline registers its processors here.
import type { QueueName } from '../shared/queues.ts';
import { importFile } from './importFile.ts';
import { buildChunkPair } from '../potential/buildChunkPair.ts';
import { fetchPage } from '../potential/fetchPage.ts';
import { finalizeGroup } from '../potential/finalizeGroup.ts';
import { flushGroup } from '../potential/flushGroup.ts';
import type { ProcessorMap } from './processor.ts';
import { perfectMatchGroup } from './perfectMatchGroup.ts';

export const PROCESSORS: Record<QueueName, ProcessorMap> = {
  import: { 'import-file': importFile },
  potential: { 'fetch-page': fetchPage, 'build-chunk-pair': buildChunkPair, 'flush-group': flushGroup, 'finalize-group': finalizeGroup },
  perfect: { 'perfect-match-group': perfectMatchGroup },
};
