// A group's settings as a document: what `matchflow groups apply` reads from YAML, what
// PUT /v1/domains/{d}/groups/{g} takes as JSON, what `groups show` prints, and how
// matching_configuration stores it. One validator (readGroupSpec) checks all of them, the stored
// configuration included, and names the field at fault by its path in the document.
//
//   matchType: SYMMETRIC | BIPARTITE                    (required)
//   strategy: flat | metadata | bipartite                candidates (default: bipartite / metadata)
//   topK: 100                                            potential matches kept per node
//   partition: { key: type, left: [MENTOR], right: [MENTEE] }   bipartite split
//   scorer: { name: metadata-compatibility, weights: { skills: 2 }, numericTolerance: 0.6, … }
//   lsh: { tables: 5, bandsPerTable: 20, similarityThreshold: 0.55, candidateLimit: 0 }
//   perfect: { algorithm: assignment, topK: 5, leftCapacity: 1, rightCapacity: 3 }
import { COMPATIBILITY_DEFAULTS } from '../matching/compatibilityScorer.ts';
import { JACCARD_DEFAULTS } from '../matching/jaccardScorer.ts';
import { DEFAULT_SCORER, SCORER_NAMES } from '../matching/scorerRegistry.ts';
import { defaultStrategy, STRATEGY_NAMES, strategyInfo, type StrategyName } from '../matching/perfect/strategies.ts';
import type { GroupConfiguration, GroupRow, MatchType } from './catalog.ts';

export type FieldPath = Array<string | number>;

/** `scorer.weights.city`, `partition.left[1]` */
export function formatPath(path: FieldPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Settings that do not validate: `path` is the field at fault, `problem` what is wrong with it. */
export class GroupSettingsError extends Error {
  constructor(readonly path: FieldPath, readonly problem: string) {
    super(path.length ? `${formatPath(path)} ${problem}` : problem);
  }
}

export const MATCH_TYPES = ['SYMMETRIC', 'BIPARTITE'] as const;
export const CANDIDATE_STRATEGIES = ['flat', 'metadata', 'bipartite'] as const;
export type CandidateStrategy = (typeof CANDIDATE_STRATEGIES)[number];

export interface PartitionDoc {
  key?: string;
  left?: string[];
  right?: string[];
}

export interface ScorerDoc {
  name?: string;
  weights?: Record<string, number>;
  [option: string]: unknown;
}

export interface LshDoc {
  tables?: number;
  bandsPerTable?: number;
  similarityThreshold?: number;
  /** candidates scored per node at most (0: no limit; default MATCHING_LSH_CANDIDATE_LIMIT) */
  candidateLimit?: number;
}

export interface PerfectDoc {
  algorithm?: StrategyName;
  topK?: number;
  leftCapacity?: number;
  rightCapacity?: number;
}

export interface GroupSpec {
  matchType: MatchType;
  strategy?: CandidateStrategy;
  topK?: number;
  partition?: PartitionDoc;
  scorer?: ScorerDoc;
  lsh?: LshDoc;
  perfect?: PerfectDoc;
}

const GROUP_FIELDS = ['matchType', 'strategy', 'topK', 'partition', 'scorer', 'lsh', 'perfect'] as const;

/** Options of each scorer, with their defaults and what a value must be. */
type OptionKind = 'positive' | 'nonNegative' | 'share' | 'weights';
const SCORER_OPTIONS: Record<string, Record<string, { kind: OptionKind; default?: number }>> = {
  'metadata-compatibility': {
    weights: { kind: 'weights' },
    defaultWeight: { kind: 'nonNegative', default: COMPATIBILITY_DEFAULTS.defaultWeight },
    exactScore: { kind: 'positive', default: COMPATIBILITY_DEFAULTS.exactScore },
    partialScore: { kind: 'nonNegative', default: COMPATIBILITY_DEFAULTS.partialScore },
    numericTolerance: { kind: 'nonNegative', default: COMPATIBILITY_DEFAULTS.numericTolerance },
    threshold: { kind: 'share', default: COMPATIBILITY_DEFAULTS.threshold },
  },
  'item-jaccard': { threshold: { kind: 'share', default: JACCARD_DEFAULTS.threshold } },
};

/** The defaults of a scorer's options (weights: none). */
export function scorerDefaults(name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, o] of Object.entries(SCORER_OPTIONS[name] ?? {})) if (o.default !== undefined) out[k] = o.default;
  return out;
}

export const DEFAULT_PARTITION = { key: 'type', left: ['MENTOR'], right: ['MENTEE'] } as const;
/** Partners per left node in the stable algorithm when not set (one each, as the algorithm assumes). */
export const DEFAULT_LEFT_CAPACITY = 1;

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (xs: readonly string[]): string => xs.join(', ');

function mapping(v: unknown, path: FieldPath, known: readonly string[]): Record<string, unknown> {
  if (!isMapping(v)) throw new GroupSettingsError(path, 'must be a mapping');
  for (const k of Object.keys(v)) {
    if (!known.includes(k)) throw new GroupSettingsError([...path, k], `is not a known setting here (known: ${list(known)})`);
  }
  return v;
}

function oneOf<T extends string>(v: unknown, path: FieldPath, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) throw new GroupSettingsError(path, `must be one of ${list(values)}`);
  return v as T;
}

function positiveInt(v: unknown, path: FieldPath): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new GroupSettingsError(path, 'must be a positive integer');
  return v;
}

function number(v: unknown, path: FieldPath, kind: Exclude<OptionKind, 'weights'>): number {
  const ok = typeof v === 'number' && Number.isFinite(v)
    && (kind === 'positive' ? v > 0 : kind === 'nonNegative' ? v >= 0 : v >= 0 && v < 1);
  if (!ok) {
    const what = kind === 'positive' ? 'a number > 0' : kind === 'nonNegative' ? 'a number ≥ 0' : 'a number in [0, 1)';
    throw new GroupSettingsError(path, `must be ${what}`);
  }
  return v as number;
}

function nameList(v: unknown, path: FieldPath): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new GroupSettingsError(path, 'must be a non-empty list of strings');
  v.forEach((x, i) => {
    if (typeof x !== 'string' || x.trim() === '') throw new GroupSettingsError([...path, i], 'must be a non-empty string');
  });
  return [...v] as string[];
}

function readPartition(v: unknown, path: FieldPath): PartitionDoc {
  const m = mapping(v, path, ['key', 'left', 'right']);
  const out: PartitionDoc = {};
  if (m.key !== undefined) {
    if (typeof m.key !== 'string' || m.key.trim() === '') throw new GroupSettingsError([...path, 'key'], 'must be a non-empty string');
    out.key = m.key;
  }
  if (m.left !== undefined) out.left = nameList(m.left, [...path, 'left']);
  if (m.right !== undefined) out.right = nameList(m.right, [...path, 'right']);
  const left = new Set((out.left ?? DEFAULT_PARTITION.left).map((x) => x.trim().toLowerCase()));
  const both = (out.right ?? DEFAULT_PARTITION.right).find((x) => left.has(x.trim().toLowerCase()));
  if (both !== undefined) throw new GroupSettingsError([...path, 'right'], `shares '${both}' with the left side (values compare trimmed, in lower case)`);
  return out;
}

function readScorer(v: unknown, path: FieldPath): ScorerDoc {
  if (!isMapping(v)) throw new GroupSettingsError(path, 'must be a mapping');
  const name = v.name === undefined ? DEFAULT_SCORER : oneOf(v.name, [...path, 'name'], SCORER_NAMES);
  const options = SCORER_OPTIONS[name];
  mapping(v, path, ['name', ...Object.keys(options)]);
  // key order as given: the stored options are hashed into the settings fingerprint as they are
  const out: ScorerDoc = {};
  for (const [k, value] of Object.entries(v)) {
    if (k === 'name') out.name = name;
    else if (options[k].kind === 'weights') out[k] = readWeights(value, [...path, k]);
    else out[k] = number(value, [...path, k], options[k].kind as Exclude<OptionKind, 'weights'>);
  }
  return out;
}

function readWeights(v: unknown, path: FieldPath): Record<string, number> {
  if (!isMapping(v)) throw new GroupSettingsError(path, 'must be a mapping of metadata keys to weights');
  const out: Record<string, number> = {};
  for (const [k, w] of Object.entries(v)) out[k] = number(w, [...path, k], 'nonNegative');
  return out;
}

function readLsh(v: unknown, path: FieldPath): LshDoc {
  const m = mapping(v, path, ['tables', 'bandsPerTable', 'similarityThreshold', 'candidateLimit']);
  const out: LshDoc = {};
  if (m.candidateLimit !== undefined) {
    const c = m.candidateLimit;
    if (!(typeof c === 'number' && Number.isInteger(c) && c >= 0)) {
      throw new GroupSettingsError([...path, 'candidateLimit'], 'must be an integer ≥ 0 (0: no limit)');
    }
    out.candidateLimit = c;
  }
  if (m.tables !== undefined) out.tables = positiveInt(m.tables, [...path, 'tables']);
  if (m.bandsPerTable !== undefined) out.bandsPerTable = positiveInt(m.bandsPerTable, [...path, 'bandsPerTable']);
  if (m.similarityThreshold !== undefined) {
    const t = m.similarityThreshold;
    if (typeof t !== 'number' || !(t > 0 && t < 1)) throw new GroupSettingsError([...path, 'similarityThreshold'], 'must be a number in (0, 1)');
    out.similarityThreshold = t;
  }
  return out;
}

function readPerfect(v: unknown, path: FieldPath, matchType: MatchType): PerfectDoc {
  const m = mapping(v, path, ['algorithm', 'topK', 'leftCapacity', 'rightCapacity']);
  const out: PerfectDoc = {};
  if (m.algorithm !== undefined) out.algorithm = oneOf(m.algorithm, [...path, 'algorithm'], STRATEGY_NAMES);
  const algorithm = out.algorithm ?? defaultStrategy(matchType);
  if (matchType === 'SYMMETRIC' && !strategyInfo(algorithm).general) {
    throw new GroupSettingsError([...path, 'algorithm'], `'${algorithm}' pairs two sides: it needs matchType BIPARTITE`);
  }
  if (m.topK !== undefined) {
    if (algorithm !== 'top-k' && algorithm !== 'mutual-top-k') {
      throw new GroupSettingsError([...path, 'topK'], 'applies only to the top-k and mutual-top-k algorithms');
    }
    out.topK = positiveInt(m.topK, [...path, 'topK']);
  }
  for (const side of ['leftCapacity', 'rightCapacity'] as const) {
    if (m[side] === undefined) continue;
    if (algorithm !== 'stable') throw new GroupSettingsError([...path, side], 'applies only to the stable algorithm');
    out[side] = positiveInt(m[side], [...path, side]);
  }
  return out;
}

/** The candidate strategy a group runs: its own, or the default of its match type. */
export function strategyOf(spec: Pick<GroupSpec, 'matchType' | 'strategy'>): CandidateStrategy {
  return spec.strategy ?? (spec.matchType === 'BIPARTITE' ? 'bipartite' : 'metadata');
}

/** Whether a group pairs two sides: a BIPARTITE group always, a SYMMETRIC one with the bipartite strategy. */
export function isSplit(spec: Pick<GroupSpec, 'matchType' | 'strategy'>): boolean {
  return spec.matchType === 'BIPARTITE' || strategyOf(spec) === 'bipartite';
}

/**
 * Checks a group's settings document and returns it with only the fields it sets (copied, in the
 * order given). Throws GroupSettingsError naming the first field at fault, its path prefixed by `at`.
 */
export function readGroupSpec(raw: unknown, at: FieldPath = []): GroupSpec {
  const m = mapping(raw, at, GROUP_FIELDS);
  if (m.matchType === undefined) throw new GroupSettingsError([...at, 'matchType'], `is required (${list(MATCH_TYPES)})`);
  const spec: GroupSpec = { matchType: oneOf(m.matchType, [...at, 'matchType'], MATCH_TYPES) };
  if (m.strategy !== undefined) spec.strategy = oneOf(m.strategy, [...at, 'strategy'], CANDIDATE_STRATEGIES);
  if (m.topK !== undefined) spec.topK = positiveInt(m.topK, [...at, 'topK']);
  if (m.partition !== undefined) {
    if (!isSplit(spec)) throw new GroupSettingsError([...at, 'partition'], 'applies only to a BIPARTITE group or the bipartite strategy');
    spec.partition = readPartition(m.partition, [...at, 'partition']);
  }
  if (m.scorer !== undefined) spec.scorer = readScorer(m.scorer, [...at, 'scorer']);
  if (m.lsh !== undefined) {
    if (strategyOf(spec) !== 'metadata') throw new GroupSettingsError([...at, 'lsh'], 'applies only to the metadata strategy');
    spec.lsh = readLsh(m.lsh, [...at, 'lsh']);
  }
  spec.perfect = readPerfect(m.perfect ?? {}, [...at, 'perfect'], spec.matchType);
  if (Object.keys(spec.perfect).length === 0) delete spec.perfect;
  return spec;
}

/**
 * The spec a group's stored row and configuration say, checked. Fields the configuration does not
 * know (keys written by hand into config_params) are not read.
 */
export function storedSpec(group: GroupRow, conf: GroupConfiguration | null): GroupSpec {
  const p = conf?.params ?? {};
  const raw: Record<string, unknown> = { matchType: group.matchType };
  if (p.candidateStrategy !== undefined) raw.strategy = p.candidateStrategy;
  if (p.topK !== undefined) raw.topK = p.topK;
  const partition = pick(p, { partitionKey: 'key', leftValues: 'left', rightValues: 'right' });
  if (partition) raw.partition = partition;
  if (p.scorer !== undefined || p.scorerOptions !== undefined) {
    const options = p.scorerOptions;
    raw.scorer = { ...(p.scorer !== undefined ? { name: p.scorer } : {}), ...(isMapping(options) ? options : {}) };
    if (options !== undefined && !isMapping(options)) throw new GroupSettingsError(['scorer'], 'options must be a mapping');
  }
  if (p.lsh !== undefined) raw.lsh = p.lsh;
  const perfect = pick(p, { perfectTopK: 'topK', leftCapacity: 'leftCapacity', rightCapacity: 'rightCapacity' }) ?? {};
  if (conf) perfect.algorithm = conf.algorithmId;
  raw.perfect = perfect;
  return readGroupSpec(raw);
}

function pick(p: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(names)) if (p[from] !== undefined) out[to] = p[from];
  return Object.keys(out).length ? out : null;
}

/**
 * The spec without what equals a default that no process setting decides (the strategy and the
 * perfect algorithm of the match type, the default scorer and its option values, the default
 * partition, one partner per left node): two specs that differ only there mean the same.
 */
export function canonicalSpec(spec: GroupSpec): GroupSpec {
  const out: GroupSpec = { matchType: spec.matchType };
  if (spec.strategy !== undefined && spec.strategy !== strategyOf({ matchType: spec.matchType })) out.strategy = spec.strategy;
  if (spec.topK !== undefined) out.topK = spec.topK;
  if (spec.partition) {
    const p: PartitionDoc = {};
    if (spec.partition.key !== undefined && spec.partition.key !== DEFAULT_PARTITION.key) p.key = spec.partition.key;
    if (spec.partition.left && !sameList(spec.partition.left, DEFAULT_PARTITION.left)) p.left = spec.partition.left;
    if (spec.partition.right && !sameList(spec.partition.right, DEFAULT_PARTITION.right)) p.right = spec.partition.right;
    if (Object.keys(p).length) out.partition = p;
  }
  if (spec.scorer) {
    const name = spec.scorer.name ?? DEFAULT_SCORER;
    const defaults = scorerDefaults(name);
    const s: ScorerDoc = {};
    if (name !== DEFAULT_SCORER) s.name = name;
    for (const [k, v] of Object.entries(spec.scorer)) {
      if (k === 'name' || v === defaults[k] || (k === 'weights' && Object.keys(v as object).length === 0)) continue;
      s[k] = v;
    }
    if (Object.keys(s).length) out.scorer = s;
  }
  if (spec.lsh && Object.keys(spec.lsh).length) out.lsh = { ...spec.lsh };
  if (spec.perfect) {
    const p: PerfectDoc = { ...spec.perfect };
    if (p.algorithm === defaultStrategy(spec.matchType)) delete p.algorithm;
    if (p.leftCapacity === DEFAULT_LEFT_CAPACITY) delete p.leftCapacity;
    if (Object.keys(p).length) out.perfect = p;
  }
  return out;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** How matching_configuration stores a (canonical) spec: algorithm_id and config_params. */
export function configurationOf(spec: GroupSpec): GroupConfiguration {
  const params: Record<string, unknown> = {};
  if (spec.strategy !== undefined) params.candidateStrategy = spec.strategy;
  if (spec.topK !== undefined) params.topK = spec.topK;
  if (spec.partition?.key !== undefined) params.partitionKey = spec.partition.key;
  if (spec.partition?.left !== undefined) params.leftValues = spec.partition.left;
  if (spec.partition?.right !== undefined) params.rightValues = spec.partition.right;
  if (spec.scorer) {
    const { name, ...options } = spec.scorer;
    if (name !== undefined) params.scorer = name;
    if (Object.keys(options).length) params.scorerOptions = options;
  }
  if (spec.lsh) params.lsh = spec.lsh;
  if (spec.perfect?.topK !== undefined) params.perfectTopK = spec.perfect.topK;
  if (spec.perfect?.leftCapacity !== undefined) params.leftCapacity = spec.perfect.leftCapacity;
  if (spec.perfect?.rightCapacity !== undefined) params.rightCapacity = spec.perfect.rightCapacity;
  return { algorithmId: spec.perfect?.algorithm ?? defaultStrategy(spec.matchType), params };
}

/** Settings as dotted paths to their values (lists whole), for printing what changed. */
export function flattenSpec(spec: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(spec)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isMapping(v)) for (const [p, x] of flattenSpec(v, path)) out.set(p, x);
    else out.set(path, v);
  }
  return out;
}
