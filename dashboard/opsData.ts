// Everything the ops page shows, read in one go: per group the last potential and perfect runs
// and a histogram of its compatibility scores (bucketed in SQL), the queues' job counts, what
// is locked right now and which groups' circuit breakers have tripped.
import type { Queue } from 'bullmq';
import type { RedisClient } from '../src/shared/redis.ts';
import type { Config } from '../src/shared/config.ts';
import type { Pool } from '../src/shared/db.ts';
import { listBreakers, type GroupBreaker } from '../src/shared/circuitBreakerStore.ts';
import type { ScoreHistogram } from './histogramSvg.ts';
import type { HistogramCache } from './histogramCache.ts';

export interface RunSummary {
  cycleId: string | null;
  status: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  nodes: number | null;
  /** potential: edges saved; perfect: pairs written */
  edges: number | null;
  failureReason: string | null;
  strategy: string | null;
}

export interface GroupOps {
  domainId: string;
  domainName: string;
  groupId: string;
  groupName: string;
  matchType: string;
  potential: RunSummary | null;
  perfect: RunSummary | null;
  histogram: ScoreHistogram;
}

export interface QueueOps {
  name: string;
  paused: boolean;
  counts: Record<string, number>;
}

/** One held lock, leader lease or semaphore permit as the ops page lists it. */
export interface HoldView {
  kind: 'lock' | 'leader' | 'semaphore';
  name: string;
  owner: string;
  token: number | null;
  expiresInMs: number | null;
  /** semaphores: permits held / limit */
  detail: string;
}

export interface OpsData {
  generatedAt: Date;
  groups: GroupOps[];
  totalGroups: number;
  queues: QueueOps[];
  holds: HoldView[];
  breakers: GroupBreaker[];
}

export interface OpsSources {
  cfg: Config;
  pool: Pool;
  redis: RedisClient;
  queues: readonly Queue[];
  /** what is held now (the coordination module's inspection) */
  readHolds: () => Promise<HoldView[]>;
  histograms: HistogramCache;
}

/** Compatibility scores lie in [0, 1] (docs/scoring.md). */
export const SCORE_RANGE = { lo: 0, hi: 1 } as const;

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'waiting-children', 'prioritized', 'failed', 'completed'] as const;

interface GroupRow {
  domain_id: string; domain_name: string; group_id: string; group_name: string; match_type: string;
  p_cycle: string | null; p_status: string | null; p_started: Date | null; p_finished: Date | null;
  p_nodes: number | null; p_edges: number | null; p_failure: string | null; p_present: boolean;
  f_cycle: string | null; f_status: string | null; f_started: Date | null; f_finished: Date | null;
  f_nodes: number | null; f_edges: number | null; f_failure: string | null; f_strategy: string | null; f_present: boolean;
  total: number;
}

async function readGroups(pool: Pool, limit: number): Promise<{ rows: GroupRow[]; total: number }> {
  const { rows } = await pool.query<GroupRow>(
    `SELECT d.id AS domain_id, d.name AS domain_name, g.id AS group_id, g.name AS group_name, g.match_type,
            lp.group_id IS NOT NULL AS p_present, lp.processing_cycle_id AS p_cycle, lp.status AS p_status,
            lp.started_at AS p_started, lp.finished_at AS p_finished, lp.node_count AS p_nodes,
            lp.edge_count AS p_edges, lp.failure_reason AS p_failure,
            lf.group_id IS NOT NULL AS f_present, lf.processing_cycle_id AS f_cycle, lf.status AS f_status,
            COALESCE(lf.started_at, lf.run_date) AS f_started, lf.finished_at AS f_finished, lf.node_count AS f_nodes,
            lf.pair_count AS f_edges, lf.failure_reason AS f_failure, lf.strategy AS f_strategy,
            count(*) OVER () AS total
       FROM matching_groups g
       JOIN domains d ON d.id = g.domain_id
       LEFT JOIN last_run_potential_matches lp ON lp.group_id = g.id
       LEFT JOIN last_run_perfect_matches lf ON lf.group_id = g.id
      ORDER BY d.name, g.name
      LIMIT $1`, [limit]);
  return { rows, total: rows[0]?.total ?? 0 };
}

export async function readHistograms(pool: Pool, groupIds: string[], buckets: number): Promise<Map<string, ScoreHistogram>> {
  const out = new Map<string, ScoreHistogram>();
  for (const id of groupIds) out.set(id, { counts: new Array<number>(buckets).fill(0), ...SCORE_RANGE, outside: 0 });
  if (groupIds.length === 0) return out;
  // width_bucket puts hi itself into bucket n+1; a perfect score belongs in the last bucket.
  const { rows } = await pool.query<{ group_id: string; bucket: number; n: number }>(
    `SELECT group_id,
            CASE WHEN compatibility_score = $2::float8 THEN $3::int
                 ELSE width_bucket(compatibility_score, $1::float8, $2::float8, $3::int) END AS bucket,
            count(*)::int AS n
       FROM potential_matches
      WHERE group_id = ANY($4::uuid[])
      GROUP BY 1, 2`, [SCORE_RANGE.lo, SCORE_RANGE.hi, buckets, groupIds]);
  for (const r of rows) {
    const h = out.get(r.group_id) as ScoreHistogram;
    if (r.bucket >= 1 && r.bucket <= buckets) h.counts[r.bucket - 1] += r.n;
    else h.outside += r.n;
  }
  return out;
}

function run(present: boolean, r: Omit<RunSummary, 'strategy'> & { strategy?: string | null }): RunSummary | null {
  return present ? { strategy: null, ...r } : null;
}

async function readQueues(queues: readonly Queue[]): Promise<QueueOps[]> {
  return Promise.all(queues.map(async (q) => ({
    name: q.name,
    paused: await q.isPaused(),
    counts: await q.getJobCounts(...QUEUE_STATES),
  })));
}

/** What the histogram of a group depends on: its potential matches change only in a cycle. */
function histogramVersion(r: GroupRow): string {
  return `${r.p_cycle}|${r.p_status}|${r.p_finished?.toISOString()}`;
}

async function cachedHistograms(src: OpsSources, rows: GroupRow[]): Promise<Map<string, ScoreHistogram>> {
  const now = Date.now();
  const out = new Map<string, ScoreHistogram>();
  const stale: GroupRow[] = [];
  for (const r of rows) {
    const hit = src.histograms.get(r.group_id, histogramVersion(r), now);
    if (hit) out.set(r.group_id, hit);
    else stale.push(r);
  }
  const fresh = await readHistograms(src.pool, stale.map((r) => r.group_id), src.cfg.dashboardHistogramBuckets);
  for (const r of stale) {
    const h = fresh.get(r.group_id) as ScoreHistogram;
    src.histograms.set(r.group_id, histogramVersion(r), h, now);
    out.set(r.group_id, h);
  }
  src.histograms.retainOnly(rows.map((r) => r.group_id));
  return out;
}

export async function readOpsData(src: OpsSources): Promise<OpsData> {
  const { rows, total } = await readGroups(src.pool, src.cfg.dashboardMaxGroups);
  const [histograms, queues, holds, breakers] = await Promise.all([
    cachedHistograms(src, rows),
    readQueues(src.queues),
    src.readHolds(),
    listBreakers(src.redis, src.cfg),
  ]);
  const groups = rows.map((r): GroupOps => ({
    domainId: r.domain_id,
    domainName: r.domain_name,
    groupId: r.group_id,
    groupName: r.group_name,
    matchType: r.match_type,
    potential: run(r.p_present, {
      cycleId: r.p_cycle, status: r.p_status, startedAt: r.p_started, finishedAt: r.p_finished,
      nodes: r.p_nodes, edges: r.p_edges, failureReason: r.p_failure,
    }),
    perfect: run(r.f_present, {
      cycleId: r.f_cycle, status: r.f_status, startedAt: r.f_started, finishedAt: r.f_finished,
      nodes: r.f_nodes, edges: r.f_edges, failureReason: r.f_failure, strategy: r.f_strategy,
    }),
    histogram: histograms.get(r.group_id) as ScoreHistogram,
  }));
  return { generatedAt: new Date(), groups, totalGroups: total, queues, holds, breakers };
}
