// How a group's potential and perfect matches are computed: its settings (groupSpec.ts, checked
// by the one validator there) over the process configuration's defaults.
// Default strategy, as the seed's WeightFunctionResolver: a BIPARTITE group uses 'bipartite'
// (flat left × right); a symmetric group uses 'metadata' (LSH).
// 'bipartite' is flat scoring of left × right; 'metadata' on a BIPARTITE group is LSH across the
// two sides. A group whose match_type is BIPARTITE is always split.
import { lshParamsFrom } from '../matching/lshStrategy.ts';
import type { LshParams } from '../matching/minhash.ts';
import type { PartitionSpec } from '../matching/encodedPage.ts';
import { COMPATIBILITY_DEFAULTS } from '../matching/compatibilityScorer.ts';
import { DEFAULT_SCORER } from '../matching/scorerRegistry.ts';
import type { GroupConfiguration, GroupRow } from './catalog.ts';
import { createHash } from 'node:crypto';
import type { Config } from '../shared/config.ts';
import { defaultStrategy, type StrategyName, type StrategyOptions } from '../matching/perfect/strategies.ts';
import { DEFAULT_PARTITION, isSplit, storedSpec, strategyOf, type CandidateStrategy, type GroupSpec } from './groupSpec.ts';

export { GroupSettingsError } from './groupSpec.ts';

export interface GroupSettings {
  strategy: CandidateStrategy;
  /** 'flat' or 'metadata' candidates; bipartite pairing is `partition !== null` */
  candidates: 'flat' | 'metadata';
  partition: PartitionSpec | null;
  topK: number;
  /** entries kept per node beyond its top-K, for incremental cycles (MATCHING_TOPK_RESERVE) */
  reserve: number;
  scorer: { name: string; options: Record<string, unknown> };
  lsh: LshParams | null;
  /** metadata strategy: most LSH candidates a node is scored against (0: no limit) */
  candidateLimit: number;
}

/** The potential-stage settings of a group; throws GroupSettingsError when its configuration does not validate. */
export function groupSettings(cfg: Config, group: GroupRow, conf: GroupConfiguration | null): GroupSettings {
  return settingsOf(cfg, storedSpec(group, conf));
}

/** The potential-stage settings a spec gives under the process configuration. */
export function settingsOf(cfg: Config, spec: GroupSpec): GroupSettings {
  const strategy = strategyOf(spec);
  const partition = isSplit(spec)
    ? {
        key: spec.partition?.key ?? DEFAULT_PARTITION.key,
        leftValues: spec.partition?.left ?? [...DEFAULT_PARTITION.left],
        rightValues: spec.partition?.right ?? [...DEFAULT_PARTITION.right],
      }
    : null;
  const { name = DEFAULT_SCORER, ...scorerOptions } = spec.scorer ?? {};
  const candidates = strategy === 'metadata' ? 'metadata' : 'flat';
  const lsh = candidates === 'metadata'
    ? lshParamsFrom({
        tables: spec.lsh?.tables ?? cfg.lshNumTables,
        bandsPerTable: spec.lsh?.bandsPerTable ?? cfg.lshBandsPerTable,
        similarityThreshold: spec.lsh?.similarityThreshold ?? cfg.lshSimilarityThreshold,
        seed: cfg.lshSeed,
        numericTolerance: Number(scorerOptions.numericTolerance ?? COMPATIBILITY_DEFAULTS.numericTolerance),
      })
    : null;
  const candidateLimit = candidates === 'metadata' ? spec.lsh?.candidateLimit ?? cfg.lshCandidateLimit : 0;
  return {
    strategy, candidates, partition, topK: spec.topK ?? cfg.topK, reserve: cfg.topKReserve, scorer: { name, options: scorerOptions }, lsh, candidateLimit,
  };
}

/** The perfect-match strategy options the process configuration sets, with a group's overrides. */
export function strategyOptionsFromConfig(cfg: Config, overrides: Partial<StrategyOptions> = {}): StrategyOptions {
  return {
    topK: cfg.topK,
    rightCapacity: cfg.stableCapacity,
    denseMaxCells: cfg.perfectDenseMaxCells,
    denseMinDensity: cfg.perfectDenseMinDensity,
    auctionBits: cfg.perfectAuctionBits,
    ...overrides,
  };
}

export interface PerfectSettings {
  strategy: StrategyName;
  options: StrategyOptions;
  /** the sides the potential stage paired (same settings, same defaults); null: one node set */
  partition: PartitionSpec | null;
}

/** How a group's perfect matches are computed: its algorithm and options, over the defaults. */
export function perfectSettings(cfg: Config, group: GroupRow, conf: GroupConfiguration | null): PerfectSettings {
  return perfectSettingsOf(cfg, storedSpec(group, conf));
}

export function perfectSettingsOf(cfg: Config, spec: GroupSpec): PerfectSettings {
  const p = spec.perfect ?? {};
  const options = strategyOptionsFromConfig(cfg, {
    topK: p.topK ?? spec.topK ?? cfg.topK,
    ...(p.leftCapacity ? { leftCapacity: p.leftCapacity } : {}),
    ...(p.rightCapacity ? { rightCapacity: p.rightCapacity } : {}),
  });
  // the sides the potential stage paired, with the same defaults
  const { partition } = settingsOf(cfg, spec);
  return { strategy: p.algorithm ?? defaultStrategy(spec.matchType), options, partition: spec.matchType === 'BIPARTITE' ? partition : null };
}

/**
 * What a cycle's rows depend on, as a short hash: an incremental cycle is exact only against rows
 * scored with the same settings (a change makes the next cycle a full recompute).
 */
export function settingsFingerprint(s: GroupSettings): string {
  const { strategy, partition, topK, reserve, scorer, lsh, candidateLimit } = s;
  // no limit hashes as before limits existed, so that lists ranked without one stay mergeable
  const limit = candidateLimit ? { candidateLimit } : {};
  return createHash('sha256').update(JSON.stringify({ strategy, partition, topK, reserve, scorer, lsh, ...limit })).digest('hex').slice(0, 16);
}
