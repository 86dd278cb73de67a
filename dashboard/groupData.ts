// Everything a group's page shows: its settings, its last cycles' quality records, its score
// histogram, its last perfect run's figures, its best pairs, and the explanation of a pair when one
// is asked for. Only the explanation reads nodes, which the dashboard's database role may not.
import type { Config } from '../src/shared/config.ts';
import type { Pool } from '../src/shared/db.ts';
import { getGroup, type GroupRow } from '../src/groups/catalog.ts';
import { readGroupDocument } from '../src/groups/groupDocument.ts';
import { groupsFileText } from '../src/groups/groupsFile.ts';
import { GroupSettingsError } from '../src/groups/groupSpec.ts';
import { explainPair, ExplainError, type PairExplanationView } from '../src/potential/explainPair.ts';
import type { ScoreHistogram } from './histogramSvg.ts';
import { readHistograms } from './opsData.ts';

/** Cycles the charts show. */
export const CHART_CYCLES = 30;
const BEST_PAIRS = 10;

export interface CycleQuality {
  cycleId: string;
  mode: string;
  finishedAt: Date;
  nodes: number;
  newNodes: number;
  pairsScored: number;
  pairsPossible: number;
  reductionRatio: number | null;
  edgesWritten: number;
  edges: number;
  ms: { fetch: number | null; build: number | null; flush: number | null; finalize: number | null };
  recallSample: number;
  recall: number | null;
}

export interface PerfectFigures {
  status: string | null;
  strategy: string | null;
  finishedAt: Date | null;
  pairs: number | null;
  totalScore: number;
  /** nodes of the potential cycle the run consumed, and those in no pair (null: not recorded) */
  nodes: number | null;
  unmatched: number | null;
}

export interface GroupPageData {
  group: GroupRow;
  domainName: string;
  /** the effective settings as a groups file, or what is wrong with them */
  settingsYaml: string | null;
  settingsProblem: string | null;
  cycles: CycleQuality[];
  recallWarnBelow: number;
  histogram: ScoreHistogram;
  perfect: PerfectFigures | null;
  bestPairs: Array<{ a: string; b: string; score: number }>;
  /** the pair asked for (a, b), and its explanation or why there is none */
  asked: { a: string; b: string } | null;
  explanation: PairExplanationView | null;
  explainError: string | null;
}

const n = (v: unknown): number => Number(v);
const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function readCycles(pool: Pool, groupId: string): Promise<CycleQuality[]> {
  const { rows } = await pool.query(
    `SELECT * FROM (SELECT * FROM potential_cycle_quality WHERE group_id = $1 ORDER BY finished_at DESC LIMIT $2) last ORDER BY finished_at`,
    [groupId, CHART_CYCLES]);
  return rows.map((r) => ({
    cycleId: r.cycle_id, mode: r.mode, finishedAt: r.finished_at, nodes: n(r.nodes), newNodes: n(r.new_nodes), pairsScored: n(r.pairs_scored),
    pairsPossible: n(r.pairs_possible), reductionRatio: nOrNull(r.reduction_ratio), edgesWritten: n(r.edges_written), edges: n(r.edges),
    ms: { fetch: nOrNull(r.fetch_ms), build: nOrNull(r.build_ms), flush: nOrNull(r.flush_ms), finalize: nOrNull(r.finalize_ms) },
    recallSample: r.recall_sample, recall: nOrNull(r.recall),
  }));
}

/**
 * The last perfect run's figures. Its nodes are those of the potential cycle it consumed (that
 * cycle's quality row), so the dashboard needs no read of nodes; null before cycles recorded it.
 */
async function readPerfect(pool: Pool, group: GroupRow): Promise<PerfectFigures | null> {
  const { rows } = await pool.query(
    `SELECT l.status, l.strategy, l.finished_at, l.pair_count, q.nodes,
            (SELECT coalesce(sum(compatibility_score), 0) FROM perfect_matches WHERE group_id = $1) AS total,
            (SELECT count(*) FROM (SELECT reference_id FROM perfect_matches WHERE group_id = $1
                                   UNION SELECT matched_reference_id FROM perfect_matches WHERE group_id = $1) m) AS matched
       FROM last_run_perfect_matches l LEFT JOIN potential_cycle_quality q ON q.cycle_id = l.potential_cycle_id
      WHERE l.group_id = $1`, [group.id]);
  const r = rows[0];
  return r
    ? {
        status: r.status, strategy: r.strategy, finishedAt: r.finished_at, pairs: nOrNull(r.pair_count), totalScore: n(r.total),
        nodes: nOrNull(r.nodes), unmatched: r.nodes === null ? null : Math.max(0, n(r.nodes) - n(r.matched)),
      }
    : null;
}

/** PostgreSQL's insufficient_privilege: the dashboard's database role may not read nodes. */
const INSUFFICIENT_PRIVILEGE = '42501';

/** The highest-scoring potential matches, one line per unordered pair. */
async function readBestPairs(pool: Pool, groupId: string): Promise<Array<{ a: string; b: string; score: number }>> {
  const { rows } = await pool.query<{ reference_id: string; matched_reference_id: string; compatibility_score: number }>(
    `SELECT reference_id, matched_reference_id, compatibility_score FROM potential_matches WHERE group_id = $1
      ORDER BY compatibility_score DESC, reference_id, matched_reference_id LIMIT $2`, [groupId, 2 * BEST_PAIRS]);
  const seen = new Set<string>();
  const out: Array<{ a: string; b: string; score: number }> = [];
  for (const r of rows) {
    const key = [r.reference_id, r.matched_reference_id].sort().join('\u0000');
    if (seen.has(key) || out.length === BEST_PAIRS) continue;
    seen.add(key);
    out.push({ a: r.reference_id, b: r.matched_reference_id, score: Number(r.compatibility_score) });
  }
  return out;
}

export async function readGroupPage(cfg: Config, pool: Pool, groupId: string, asked: { a: string; b: string } | null): Promise<GroupPageData | null> {
  const group = await getGroup(pool, groupId);
  if (!group) return null;
  const { rows } = await pool.query<{ name: string }>('SELECT name FROM domains WHERE id = $1', [group.domainId]);
  let settingsYaml: string | null = null;
  let settingsProblem: string | null = null;
  try {
    const { effective } = await readGroupDocument(cfg, pool, group);
    settingsYaml = groupsFileText([{ domain: rows[0].name, group: group.name, spec: effective }]);
  } catch (err) {
    if (!(err instanceof GroupSettingsError)) throw err;
    settingsProblem = err.message;
  }
  let explanation: PairExplanationView | null = null;
  let explainError: string | null = null;
  if (asked) {
    try {
      explanation = await explainPair(cfg, pool, group, asked.a, asked.b);
    } catch (err) {
      if ((err as { code?: string }).code === INSUFFICIENT_PRIVILEGE) {
        explainError = 'the dashboard\'s database role may not read the nodes\' metadata (DB_DASHBOARD_ROLE, docs/security.md): '
          + `run matchflow explain --group ${group.id} ${asked.a} ${asked.b}`;
      } else if (err instanceof ExplainError || err instanceof GroupSettingsError) explainError = err.message;
      else throw err;
    }
  }
  const [cycles, histograms, perfect, bestPairs] = await Promise.all([
    readCycles(pool, group.id), readHistograms(pool, [group.id], cfg.dashboardHistogramBuckets), readPerfect(pool, group), readBestPairs(pool, group.id),
  ]);
  return {
    group, domainName: rows[0].name, settingsYaml, settingsProblem, cycles, recallWarnBelow: cfg.qualityRecallWarnBelow,
    histogram: histograms.get(group.id)!, perfect, bestPairs, asked, explanation, explainError,
  };
}
