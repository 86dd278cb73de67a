// How a group's potential matches are computed, from its matching_configuration.config_params
// (seed 000 §8.1) and the process configuration:
//   candidateStrategy  'flat' | 'metadata' | 'bipartite'   (seed 001 §6.2; default below)
//   partitionKey, leftValues, rightValues                 bipartite split (default type = MENTOR / MENTEE)
//   topK                                                   neighbours kept per node (default MATCHING_TOPK_COUNT)
//   scorer, scorerOptions                                  src/matching/scorerRegistry.ts
//   lsh: { tables, bandsPerTable, similarityThreshold,    overrides of MATCHING_LSH_*
//          candidateLimit }
// Default strategy, as the seed's WeightFunctionResolver: a BIPARTITE group uses 'bipartite'
// (flat left × right); a symmetric group uses 'metadata' (LSH).
// 'bipartite' is flat scoring of left × right; 'metadata' on a BIPARTITE group is LSH across the
// two sides. A group whose match_type is BIPARTITE is always split.
import { lshParamsFrom } from '../matching/lshStrategy.ts';
import type { LshParams } from '../matching/minhash.ts';
import type { PartitionSpec } from '../matching/encodedPage.ts';
import { COMPATIBILITY_DEFAULTS } from '../matching/compatibilityScorer.ts';
import { DEFAULT_SCORER, SCORER_NAMES } from '../matching/scorerRegistry.ts';
import type { GroupConfiguration, GroupRow } from './catalog.ts';
import { createHash } from 'node:crypto';
import type { Config } from '../shared/config.ts';
import { defaultStrategy, isStrategyName, type StrategyName, type StrategyOptions } from '../matching/perfect/strategies.ts';

export type CandidateStrategy = 'flat' | 'metadata' | 'bipartite';

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

export class GroupSettingsError extends Error {}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) {
    throw new GroupSettingsError(`${what} must be a non-empty list of strings`);
  }
  return v;
}

export function groupSettings(cfg: Config, group: GroupRow, conf: GroupConfiguration | null): GroupSettings {
  const p = (conf?.params ?? {}) as Record<string, unknown>;
  const strategy = (p.candidateStrategy ?? (group.matchType === 'BIPARTITE' ? 'bipartite' : 'metadata')) as CandidateStrategy;
  if (!['flat', 'metadata', 'bipartite'].includes(strategy)) throw new GroupSettingsError(`unknown candidateStrategy '${String(strategy)}'`);
  const split = strategy === 'bipartite' || group.matchType === 'BIPARTITE';
  const partition = split
    ? {
        key: typeof p.partitionKey === 'string' ? p.partitionKey : 'type',
        leftValues: p.leftValues === undefined ? ['MENTOR'] : stringList(p.leftValues, 'leftValues'),
        rightValues: p.rightValues === undefined ? ['MENTEE'] : stringList(p.rightValues, 'rightValues'),
      }
    : null;
  const topK = p.topK === undefined ? cfg.topK : Number(p.topK);
  if (!(Number.isInteger(topK) && topK >= 1)) throw new GroupSettingsError('topK must be a positive integer');
  const scorerName = typeof p.scorer === 'string' ? p.scorer : DEFAULT_SCORER;
  if (!SCORER_NAMES.includes(scorerName)) throw new GroupSettingsError(`unknown scorer '${scorerName}'`);
  const scorerOptions = (p.scorerOptions ?? {}) as Record<string, unknown>;
  const candidates = strategy === 'metadata' ? 'metadata' : 'flat';
  const o = (p.lsh ?? {}) as Record<string, unknown>;
  const lsh = candidates === 'metadata'
    ? lshParamsFrom({
        tables: Number(o.tables ?? cfg.lshNumTables),
        bandsPerTable: Number(o.bandsPerTable ?? cfg.lshBandsPerTable),
        similarityThreshold: Number(o.similarityThreshold ?? cfg.lshSimilarityThreshold),
        seed: cfg.lshSeed,
        numericTolerance: Number(scorerOptions.numericTolerance ?? COMPATIBILITY_DEFAULTS.numericTolerance),
      })
    : null;
  const candidateLimit = candidates === 'metadata' ? Number(o.candidateLimit ?? cfg.lshCandidateLimit) : 0;
  if (!(Number.isInteger(candidateLimit) && candidateLimit >= 0)) throw new GroupSettingsError('lsh.candidateLimit must be an integer ≥ 0');
  return {
    strategy, candidates, partition, topK, reserve: cfg.topKReserve, scorer: { name: scorerName, options: scorerOptions }, lsh, candidateLimit,
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

/** How a group's perfect matches are computed: its algorithm_id and config_params, over the defaults. */
export function perfectSettings(cfg: Config, group: GroupRow, conf: GroupConfiguration | null): PerfectSettings {
  const strategy = conf?.algorithmId ?? defaultStrategy(group.matchType);
  if (!isStrategyName(strategy)) throw new GroupSettingsError(`unknown perfect-match strategy '${strategy}'`);
  const p = (conf?.params ?? {}) as { topK?: number; leftCapacity?: number; rightCapacity?: number };
  const options = strategyOptionsFromConfig(cfg, {
    ...(p.topK ? { topK: p.topK } : {}),
    ...(p.leftCapacity ? { leftCapacity: p.leftCapacity } : {}),
    ...(p.rightCapacity ? { rightCapacity: p.rightCapacity } : {}),
  });
  // the potential settings are checked too: a group whose potential stage cannot run has no perfect run
  const { partition } = groupSettings(cfg, group, conf);
  return { strategy, options, partition: group.matchType === 'BIPARTITE' ? partition : null };
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
