// A group's effective settings as a document: every field with the value it runs with, defaults
// filled in from the code and the process configuration. `matchflow groups show` prints it and
// `groups apply` accepts it back.
import type { Config } from '../shared/config.ts';
import { perfectSettingsOf, settingsOf } from './groupSettings.ts';
import { DEFAULT_LEFT_CAPACITY, scorerDefaults, type GroupSpec, type ScorerDoc } from './groupSpec.ts';

export function effectiveSpec(cfg: Config, spec: GroupSpec): GroupSpec {
  const s = settingsOf(cfg, spec);
  const perfect = perfectSettingsOf(cfg, spec);
  const out: GroupSpec = { matchType: spec.matchType, strategy: s.strategy, topK: s.topK };
  if (s.partition) out.partition = { key: s.partition.key, left: [...s.partition.leftValues], right: [...s.partition.rightValues] };
  const defaults = scorerDefaults(s.scorer.name);
  const scorer: ScorerDoc = { name: s.scorer.name, ...defaults, ...s.scorer.options };
  if ('defaultWeight' in defaults) scorer.weights = { ...(s.scorer.options.weights as Record<string, number> | undefined) };
  out.scorer = scorer;
  if (s.candidates === 'metadata') {
    out.lsh = {
      tables: spec.lsh?.tables ?? cfg.lshNumTables,
      bandsPerTable: spec.lsh?.bandsPerTable ?? cfg.lshBandsPerTable,
      similarityThreshold: spec.lsh?.similarityThreshold ?? cfg.lshSimilarityThreshold,
      candidateLimit: s.candidateLimit,
    };
  }
  const algorithm = perfect.strategy;
  out.perfect = { algorithm };
  if (algorithm === 'top-k' || algorithm === 'mutual-top-k') out.perfect.topK = perfect.options.topK;
  if (algorithm === 'stable') {
    out.perfect.leftCapacity = spec.perfect?.leftCapacity ?? DEFAULT_LEFT_CAPACITY;
    out.perfect.rightCapacity = spec.perfect?.rightCapacity ?? cfg.stableCapacity;
  }
  return out;
}
