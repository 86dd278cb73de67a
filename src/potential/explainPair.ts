// Why two nodes of a group got their score: the pair scored key by key by the group's own scorer
// (BoundScorer.explain, the code score() runs), on the two nodes encoded with the group's settings
// exactly as fetch-page encodes them, next to what the cycles stored: the score in
// potential_matches, each node's ranked list (top-K and reserve) and the perfect stage's choice.
// `matchflow explain` and the ops page's group page both show this.
import { groupConfiguration, type GroupRow } from '../groups/catalog.ts';
import { groupSettings, settingsFingerprint } from '../groups/groupSettings.ts';
import { SIDE_LEFT, SIDE_NONE, SIDE_RIGHT } from '../matching/encodedPage.ts';
import type { KeyRule } from '../matching/pairScorer.ts';
import { createScorer } from '../matching/scorerRegistry.ts';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { encodeNodePage } from './fetchPage.ts';
import type { NodeRow } from './nodePages.ts';
import { loadStoredLists } from './pageMatches.ts';

export class ExplainError extends Error {}

/** How each rule reads to a person. */
export const RULE_TEXT: Record<KeyRule, string> = {
  'exact': 'exact',
  'numeric-within': 'numbers within tolerance',
  'numeric-outside': 'numbers outside tolerance',
  'partial': 'partial (one contains the other)',
  'shared-item': 'shared list item',
  'none': 'no match',
  'only-a': 'only A has it',
  'only-b': 'only B has it',
};

export interface KeyLine {
  key: string;
  /** each node's value as imported (null: the node has none) */
  a: string | null;
  b: string | null;
  rule: KeyRule;
  weight: number;
  share: number;
  /** weight × share / union: what the key adds to the score */
  contribution: number;
}

export interface ListPlace {
  /** 1-based place of the other node in this node's stored ranked list, or null when it is not in it */
  rank: number | null;
  /** within the top-K (a potential_matches row), or in the reserve beyond it */
  inTopK: boolean;
  k: number;
  /** entries of the node's stored list, and whether it holds every candidate above the threshold */
  listLength: number | null;
  exhaustive: boolean | null;
  /** potential_matches score of this node → the other, when the row exists */
  storedScore: number | null;
}

export interface PairExplanationView {
  groupId: string;
  group: string;
  matchType: string;
  scorer: string;
  a: string;
  b: string;
  keys: KeyLine[];
  matched: number;
  union: number;
  /** the score, as the scorer computes it */
  score: number;
  threshold: number;
  /** why the cycle never scores this pair (bipartite sides), or null */
  notScored: string | null;
  /** metadata strategy: whether the two nodes share a MinHash band (null for flat scoring) */
  lshCandidates: boolean | null;
  places: { a: ListPlace; b: ListPlace };
  /** every stored potential_matches score of the pair equals `score` bit for bit (null: none stored) */
  storedEqual: boolean | null;
  perfect: { chosen: boolean; score: number | null; strategy: string | null };
  /** reasons the stored figures may be of other data or settings than the score above */
  caveats: string[];
}

const SIDE_NAME: Record<number, string> = { [SIDE_LEFT]: 'left', [SIDE_RIGHT]: 'right', [SIDE_NONE]: 'neither' };

async function nodeRows(pool: Pool, group: GroupRow, refs: string[]): Promise<Map<string, NodeRow & { processed: boolean }>> {
  const { rows } = await pool.query(
    `SELECT id, reference_id, type, metadata, created_at::text AS created_at, processed FROM nodes
      WHERE group_id = $1 AND domain_id = $2 AND reference_id = ANY($3::varchar[])`, [group.id, group.domainId, refs]);
  return new Map(rows.map((r) => [r.reference_id, r]));
}

const shown = (v: unknown): string | null => (v === undefined || v === null || String(v).trim() === '' ? null : String(v));

export async function explainPair(cfg: Config, pool: Pool, group: GroupRow, refA: string, refB: string): Promise<PairExplanationView> {
  if (refA === refB) throw new ExplainError('name two different nodes');
  const settings = groupSettings(cfg, group, await groupConfiguration(pool, group.id));
  const nodes = await nodeRows(pool, group, [refA, refB]);
  const missing = [refA, refB].filter((r) => !nodes.has(r));
  if (missing.length) throw new ExplainError(`no node ${missing.map((r) => `'${r}'`).join(' or ')} in group ${group.name}`);
  const rowA = nodes.get(refA)!;
  const rowB = nodes.get(refB)!;
  const page = encodeNodePage([rowA, rowB], settings);
  const scorer = createScorer(settings.scorer.name, settings.scorer.options);
  const e = scorer.bind(page, page).explain(0, 1);
  const keys = e.keys.map((k): KeyLine => ({
    key: k.key, a: shown(rowA.metadata[k.key]), b: shown(rowB.metadata[k.key]), rule: k.rule, weight: k.weight, share: k.share,
    contribution: e.union > 0 ? (k.weight * k.share) / e.union : 0,
  }));

  let notScored: string | null = null;
  if (settings.partition) {
    const [sa, sb] = [page.side[0], page.side[1]];
    if (sa === SIDE_NONE || sb === SIDE_NONE) {
      const off = sa === SIDE_NONE ? refA : refB;
      notScored = `${off} is on neither side of the split on '${settings.partition.key}': the group never scores it`;
    } else if (sa === sb) notScored = `both nodes are on the ${SIDE_NAME[sa]} side: the group only pairs left with right`;
  }
  let lshCandidates: boolean | null = null;
  if (page.lsh) {
    const { bands } = page.lsh.params;
    lshCandidates = false;
    if (page.lsh.hasTokens[0] && page.lsh.hasTokens[1]) {
      for (let band = 0; band < bands && !lshCandidates; band++) lshCandidates = page.lsh.bandKeys[band] === page.lsh.bandKeys[bands + band];
    }
  }

  const lists = await loadStoredLists(pool, group.id, [refA, refB]);
  const { rows: stored } = await pool.query<{ reference_id: string; compatibility_score: number }>(
    `SELECT reference_id, compatibility_score FROM potential_matches
      WHERE group_id = $1 AND ((reference_id = $2 AND matched_reference_id = $3) OR (reference_id = $3 AND matched_reference_id = $2))`,
    [group.id, refA, refB]);
  const storedOf = (from: string): number | null => {
    const r = stored.find((x) => x.reference_id === from);
    return r ? Number(r.compatibility_score) : null;
  };
  const place = (from: string, to: string): ListPlace => {
    const l = lists.get(from);
    const at = l ? l.refs.indexOf(to) : -1;
    return {
      rank: at >= 0 ? at + 1 : null, inTopK: at >= 0 && at < settings.topK, k: settings.topK,
      listLength: l ? l.refs.length : null, exhaustive: l ? l.exhaustive : null, storedScore: storedOf(from),
    };
  };
  const places = { a: place(refA, refB), b: place(refB, refA) };
  const storedScores = [places.a.storedScore, places.b.storedScore].filter((s): s is number => s !== null);

  const { rows: perfectRows } = await pool.query<{ compatibility_score: number }>(
    `SELECT compatibility_score FROM perfect_matches
      WHERE group_id = $1 AND ((reference_id = $2 AND matched_reference_id = $3) OR (reference_id = $3 AND matched_reference_id = $2)) LIMIT 1`,
    [group.id, refA, refB]);
  const { rows: runs } = await pool.query<{ settings_hash: string | null; strategy: string | null }>(
    `SELECT (SELECT settings_hash FROM last_run_potential_matches WHERE group_id = $1) AS settings_hash,
            (SELECT strategy FROM last_run_perfect_matches WHERE group_id = $1) AS strategy`, [group.id]);

  const caveats: string[] = [];
  const lastHash = runs[0]?.settings_hash ?? null;
  if (lastHash !== null && lastHash !== settingsFingerprint(settings)) {
    caveats.push('the group\'s settings changed since its last completed cycle: the stored figures were computed with the earlier settings');
  }
  for (const r of [rowA, rowB]) {
    if (!r.processed) caveats.push(`${r.reference_id} is new or changed since the last completed cycle: its stored figures are older than its data`);
  }
  return {
    groupId: group.id, group: group.name, matchType: group.matchType, scorer: settings.scorer.name, a: refA, b: refB,
    keys, matched: e.matched, union: e.union, score: e.score, threshold: scorer.threshold, notScored, lshCandidates, places,
    storedEqual: storedScores.length ? storedScores.every((s) => s === e.score) : null,
    perfect: { chosen: perfectRows.length > 0, score: perfectRows[0] ? Number(perfectRows[0].compatibility_score) : null, strategy: runs[0]?.strategy ?? null },
    caveats,
  };
}
