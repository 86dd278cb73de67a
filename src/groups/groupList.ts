// Every group with what it is and how it last ran: `matchflow groups list` and GET /v1/groups.
import type { Pool } from '../shared/db.ts';
import type { MatchType } from './catalog.ts';
import { GroupSettingsError, storedSpec, strategyOf } from './groupSpec.ts';

export interface LastRunView {
  status: string | null;
  cycleId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** potential: rows of potential_matches; perfect: pairs */
  count: number | null;
}

export interface GroupListRow {
  domain: string;
  domainId: string;
  group: string;
  groupId: string;
  matchType: MatchType;
  /** the candidate strategy; null when the stored settings do not validate */
  strategy: string | null;
  /** what is wrong with the stored settings */
  settingsProblem: string | null;
  nodes: number;
  potential: LastRunView | null;
  perfect: LastRunView | null;
}

export async function listGroups(pool: Pool, domain?: string): Promise<GroupListRow[]> {
  const { rows } = await pool.query(
    `SELECT d.name AS domain, d.id AS domain_id, g.name AS group_name, g.id AS group_id, g.match_type,
            c.algorithm_id, c.config_params,
            (SELECT count(*) FROM nodes n WHERE n.group_id = g.id AND n.domain_id = g.domain_id)::bigint AS nodes,
            lp.group_id IS NOT NULL AS p_present, lp.status AS p_status, lp.processing_cycle_id AS p_cycle, lp.started_at AS p_started,
            lp.finished_at AS p_finished, lp.edge_count AS p_count,
            lf.group_id IS NOT NULL AS f_present, lf.status AS f_status, lf.processing_cycle_id AS f_cycle,
            COALESCE(lf.started_at, lf.run_date) AS f_started, lf.finished_at AS f_finished, lf.pair_count AS f_count
       FROM matching_groups g
       JOIN domains d ON d.id = g.domain_id
       LEFT JOIN LATERAL (SELECT algorithm_id, config_params FROM matching_configuration m
                           WHERE m.group_id = g.id ORDER BY priority LIMIT 1) c ON true
       LEFT JOIN last_run_potential_matches lp ON lp.group_id = g.id
       LEFT JOIN last_run_perfect_matches lf ON lf.group_id = g.id
      WHERE $1::text IS NULL OR d.name = $1 OR d.id::text = $1
      ORDER BY d.name, g.name`, [domain ?? null]);
  const run = (present: boolean, status: string | null, cycleId: string | null, startedAt: Date | null, finishedAt: Date | null,
    count: string | null): LastRunView | null => (present ? { status, cycleId, startedAt, finishedAt, count: count === null ? null : Number(count) } : null);
  return rows.map((r) => {
    let strategy: string | null = null;
    let settingsProblem: string | null = null;
    const group = { id: r.group_id, domainId: r.domain_id, name: r.group_name, matchType: r.match_type };
    try {
      strategy = strategyOf(storedSpec(group, r.algorithm_id ? { algorithmId: r.algorithm_id, params: r.config_params } : null));
    } catch (err) {
      if (!(err instanceof GroupSettingsError)) throw err;
      settingsProblem = err.message;
    }
    return {
      domain: r.domain, domainId: r.domain_id, group: r.group_name, groupId: r.group_id, matchType: r.match_type, strategy, settingsProblem,
      nodes: Number(r.nodes),
      potential: run(r.p_present, r.p_status, r.p_cycle, r.p_started, r.p_finished, r.p_count),
      perfect: run(r.f_present, r.f_status, r.f_cycle, r.f_started, r.f_finished, r.f_count),
    };
  });
}
