// The scorers a group may choose (matching_configuration.config_params.scorer and
// .scorerOptions); the default is the seeds' MetadataCompatibilityCalculator.
import { CompatibilityScorer, type CompatibilityOptions } from './compatibilityScorer.ts';
import { JaccardScorer, type JaccardOptions } from './jaccardScorer.ts';
import type { PairScorer } from './pairScorer.ts';

export const DEFAULT_SCORER = 'metadata-compatibility';

const SCORERS: Record<string, (options: Record<string, unknown>) => PairScorer> = {
  'metadata-compatibility': (o) => new CompatibilityScorer(o as CompatibilityOptions),
  'item-jaccard': (o) => new JaccardScorer(o as JaccardOptions),
};

export const SCORER_NAMES = Object.keys(SCORERS);

export function createScorer(name: string = DEFAULT_SCORER, options: Record<string, unknown> = {}): PairScorer {
  const make = SCORERS[name];
  if (!make) throw new Error(`unknown scorer '${name}' (known: ${SCORER_NAMES.join(', ')})`);
  return make(options);
}
