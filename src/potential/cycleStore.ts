// PostgreSQL side of a potential-match cycle: the cycle row and the encoded pages (migrations
// 020, 022), and the group's last-run marker. Every write is idempotent.
import type { GroupSettings } from '../groups/groupSettings.ts';
import type { Pool, PoolClient } from '../shared/db.ts';
import type { PageKind } from '../shared/queues.ts';

type Db = Pool | PoolClient;

export type CycleMode = 'FULL' | 'INCREMENTAL';

export interface CycleRow {
  cycleId: string;
  groupId: string;
  domainId: string;
  mode: CycleMode;
  lockToken: number;
  permitToken: number | null;
  startedAt: Date;
  newPages: number | null;
  existingPages: number | null;
  /** whether potential_matches held rows of the group when the cycle began (if not, pages delete nothing) */
  groupHadMatches: boolean;
  /** the group's settings when the cycle began (every job of the cycle scores with them); null when they did not parse */
  settings: GroupSettings | null;
  settingsHash: string | null;
}

export async function insertCycle(db: Db, c: Omit<CycleRow, 'startedAt' | 'newPages' | 'existingPages' | 'groupHadMatches'>): Promise<void> {
  await db.query(
    `INSERT INTO potential_cycles (cycle_id, group_id, domain_id, mode, lock_token, permit_token, settings, settings_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (cycle_id) DO UPDATE SET lock_token = EXCLUDED.lock_token, permit_token = EXCLUDED.permit_token`,
    [c.cycleId, c.groupId, c.domainId, c.mode, c.lockToken, c.permitToken, JSON.stringify(c.settings), c.settingsHash]);
}

export async function getCycle(db: Db, cycleId: string): Promise<CycleRow | null> {
  const { rows } = await db.query(
    `SELECT cycle_id, group_id, domain_id, mode, lock_token, permit_token, started_at, new_pages, existing_pages, group_had_matches,
            settings, settings_hash
     FROM potential_cycles WHERE cycle_id = $1`, [cycleId]);
  const r = rows[0];
  return r
    ? {
        cycleId: r.cycle_id, groupId: r.group_id, domainId: r.domain_id, mode: r.mode, lockToken: Number(r.lock_token),
        permitToken: r.permit_token === null ? null : Number(r.permit_token), startedAt: r.started_at,
        newPages: r.new_pages, existingPages: r.existing_pages, groupHadMatches: r.group_had_matches,
        settings: r.settings, settingsHash: r.settings_hash,
      }
    : null;
}

/**
 * The settings hash of the group's last completed cycle; undefined when no cycle of the group
 * ever completed, null when one completed before cycles recorded their settings.
 */
export async function lastCompletedSettingsHash(db: Db, groupId: string): Promise<string | null | undefined> {
  const { rows } = await db.query('SELECT status, settings_hash FROM last_run_potential_matches WHERE group_id = $1', [groupId]);
  const r = rows[0];
  if (!r || (r.settings_hash === null && r.status !== 'COMPLETED')) return undefined;
  return r.settings_hash;
}

/**
 * Records whether the group has potential_matches rows now. Call once the cycle's fencing token is
 * admitted: no older cycle can write the group's rows after that.
 */
export async function recordGroupHadMatches(c: PoolClient, cycleId: string, groupId: string): Promise<void> {
  // uq_match answers this with one index descent; without statistics (a new table) the planner
  // could prefer reading the whole table
  await c.query(`SELECT set_config('enable_seqscan', 'off', true)`);
  await c.query(
    `UPDATE potential_cycles SET group_had_matches =
       EXISTS (SELECT 1 FROM potential_matches WHERE group_id = $2 ORDER BY reference_id LIMIT 1)
     WHERE cycle_id = $1`, [cycleId, groupId]);
  await c.query(`SELECT set_config('enable_seqscan', 'on', true)`);
}

/**
 * Marks a row page as written, inside the transaction that writes it, and says whether an earlier
 * attempt already wrote it. The page's row stays locked until that transaction ends, so two
 * attempts of one page run one after the other.
 */
export async function claimPageWrite(c: PoolClient, cycleId: string, kind: PageKind, index: number): Promise<{ earlierAttempt: boolean }> {
  const { rows } = await c.query<{ written: boolean }>(
    'SELECT written FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = $2 AND page_index = $3 FOR UPDATE', [cycleId, kind, index]);
  if (!rows[0]) throw new Error(`page ${kind}${index} of cycle ${cycleId} is missing from staging`);
  if (!rows[0].written) {
    await c.query('UPDATE potential_cycle_pages SET written = true WHERE cycle_id = $1 AND kind = $2 AND page_index = $3', [cycleId, kind, index]);
  }
  return { earlierAttempt: rows[0].written };
}

export async function markPlanned(db: Db, cycleId: string, newPages: number, existingPages: number): Promise<void> {
  await db.query('UPDATE potential_cycles SET planned_at = now(), new_pages = $2, existing_pages = $3 WHERE cycle_id = $1',
    [cycleId, newPages, existingPages]);
}

/** The number of N pages, known when the N chain ends (an incremental cycle then fetches E pages). */
export async function recordNewPages(db: Db, cycleId: string, newPages: number): Promise<void> {
  await db.query('UPDATE potential_cycles SET new_pages = $2 WHERE cycle_id = $1', [cycleId, newPages]);
}

/** Kinds, indexes and node counts of the cycle's stored pages, N pages first. */
export async function listPageKeys(db: Db, cycleId: string): Promise<Array<{ kind: PageKind; index: number; nodeCount: number }>> {
  const { rows } = await db.query('SELECT kind, page_index, node_count FROM potential_cycle_pages WHERE cycle_id = $1 ORDER BY kind DESC, page_index', [cycleId]);
  return rows.map((r) => ({ kind: r.kind, index: r.page_index, nodeCount: r.node_count }));
}

export interface StoredPage {
  kind: PageKind;
  index: number;
  nodeIds: string[];
  referenceIds: string[];
  lastCreatedAt: string | null;
  lastId: string | null;
  data: Buffer;
}

export async function storePage(db: Db, cycleId: string, p: StoredPage): Promise<void> {
  await db.query(
    `INSERT INTO potential_cycle_pages (cycle_id, kind, page_index, node_count, last_created_at, last_id, node_ids, reference_ids, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (cycle_id, kind, page_index) DO UPDATE SET node_count = EXCLUDED.node_count,
       last_created_at = EXCLUDED.last_created_at, last_id = EXCLUDED.last_id, node_ids = EXCLUDED.node_ids,
       reference_ids = EXCLUDED.reference_ids, data = EXCLUDED.data`,
    [cycleId, p.kind, p.index, p.nodeIds.length, p.lastCreatedAt, p.lastId, p.nodeIds, p.referenceIds, p.data]);
}

export interface PageInfo {
  kind: PageKind;
  index: number;
  nodeCount: number;
  bytes: number;
  referenceIds: string[];
}

/** Every page of the cycle without its data: kinds, sizes and reference ids (for neighbour ids). */
export async function listPages(db: Db, cycleId: string): Promise<PageInfo[]> {
  const { rows } = await db.query(
    `SELECT kind, page_index, node_count, octet_length(data) AS bytes, reference_ids
     FROM potential_cycle_pages WHERE cycle_id = $1 ORDER BY kind DESC, page_index`, [cycleId]);
  return rows.map((r) => ({ kind: r.kind, index: r.page_index, nodeCount: r.node_count, bytes: Number(r.bytes), referenceIds: r.reference_ids }));
}

export async function loadPageData(db: Db, cycleId: string, pages: Array<{ kind: PageKind; index: number }>): Promise<Map<string, Buffer>> {
  const { rows } = await db.query<{ kind: PageKind; page_index: number; data: Buffer }>(
    `SELECT p.kind, p.page_index, p.data FROM potential_cycle_pages p
     JOIN unnest($2::char[], $3::int[]) AS w(kind, page_index) ON w.kind = p.kind AND w.page_index = p.page_index
     WHERE p.cycle_id = $1`,
    [cycleId, pages.map((p) => p.kind), pages.map((p) => p.index)]);
  const out = new Map<string, Buffer>();
  for (const r of rows) out.set(pageKey(r.kind, r.page_index), r.data);
  for (const p of pages) if (!out.has(pageKey(p.kind, p.index))) throw new Error(`page ${p.kind}${p.index} of cycle ${cycleId} is missing from staging`);
  return out;
}

export const pageKey = (kind: PageKind, index: number): string => `${kind}${index}`;

/** The number of N pages the staging holds: a PostgreSQL crash empties the UNLOGGED table. */
export async function stagedNewPages(db: Db, cycleId: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = 'N'`, [cycleId]);
  return rows[0].n;
}

/** Stored N and E pages of the cycle, and the status of its group's last run. */
export async function stagedPageCounts(db: Db, cycleId: string): Promise<{ n: number; e: number; status: RunStatus | null }> {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE kind = 'N')::int AS n, count(*) FILTER (WHERE kind = 'E')::int AS e,
            (SELECT status FROM last_run_potential_matches l JOIN potential_cycles c ON c.group_id = l.group_id
             WHERE c.cycle_id = $1 AND l.processing_cycle_id = $1) AS status
     FROM potential_cycle_pages WHERE cycle_id = $1`, [cycleId]);
  return rows[0];
}

/** How far the cycle got: planned or not, its page counts, and the pages stored so far. */
export async function cycleStagingProgress(db: Db, cycleId: string): Promise<{ planned: boolean; newPages: number | null; existingPages: number | null; stored: number } | null> {
  const { rows } = await db.query(
    `SELECT c.planned_at, c.new_pages, c.existing_pages,
            (SELECT count(*)::int FROM potential_cycle_pages p WHERE p.cycle_id = c.cycle_id) AS stored
     FROM potential_cycles c WHERE c.cycle_id = $1`, [cycleId]);
  const c = rows[0];
  return c ? { planned: c.planned_at !== null, newPages: c.new_pages, existingPages: c.existing_pages, stored: c.stored } : null;
}

/** The ids of the cycle's new nodes (its N pages), for a query whose $1 is the cycle id. */
const NEW_NODE_IDS = `SELECT unnest(node_ids) FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = 'N'`;

/**
 * Marks the cycle's new nodes processed, unless an import changed them since the cycle started
 * (they stay new for the next cycle).
 */
export async function markNewNodesProcessed(c: PoolClient, cycle: Pick<CycleRow, 'cycleId' | 'startedAt'>): Promise<void> {
  await c.query(
    `UPDATE nodes SET processed = true
     WHERE id IN (${NEW_NODE_IDS}) AND processed = false AND (updated_at IS NULL OR updated_at <= $2)`,
    [cycle.cycleId, cycle.startedAt]);
}

/**
 * match_participation_history: one row per node of the cycle's N pages that still exists — a node
 * deleted while its cycle ran would fail the history's foreign key, and with it the cycle, again
 * at every retry.
 */
export async function recordParticipation(c: PoolClient, cycle: Pick<CycleRow, 'cycleId' | 'groupId' | 'domainId'>): Promise<number> {
  const { rowCount } = await c.query(
    `INSERT INTO match_participation_history (node_id, group_id, domain_id, processing_cycle_id, participated_at)
     SELECT n.id, $2::uuid, $3::uuid, $1::varchar, now() FROM nodes n
     WHERE n.id IN (${NEW_NODE_IDS})
     ON CONFLICT (node_id, processing_cycle_id) DO NOTHING`,
    [cycle.cycleId, cycle.groupId, cycle.domainId]);
  return rowCount ?? 0;
}

/** The group's cursor moves to the last node of the cycle's last non-empty N page. */
export async function persistCursor(c: PoolClient, cycle: Pick<CycleRow, 'cycleId' | 'groupId' | 'domainId'>): Promise<void> {
  await c.query(
    `INSERT INTO nodes_cursor (group_id, domain_id, cursor_created_at, cursor_id, updated_at)
     SELECT $2, $3, last_created_at, last_id, now() FROM potential_cycle_pages
     WHERE cycle_id = $1 AND kind = 'N' AND node_count > 0 ORDER BY page_index DESC LIMIT 1
     ON CONFLICT (group_id, domain_id) DO UPDATE SET cursor_created_at = EXCLUDED.cursor_created_at,
       cursor_id = EXCLUDED.cursor_id, updated_at = now()`,
    [cycle.cycleId, cycle.groupId, cycle.domainId]);
}

/** Nodes in the cycle's N pages. */
export async function countNewNodes(db: Db, cycleId: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT coalesce(sum(node_count), 0) AS nodes FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = 'N'`, [cycleId]);
  return Number(rows[0].nodes);
}

/**
 * FULL runs: every N page deleted its nodes' earlier rows before writing, so what is left of
 * earlier cycles belongs to nodes that are no longer in the group. Their reference ids are found
 * by a loose index scan of uq_match (one index descent per distinct reference id) rather than by
 * reading every row of the group (5,000,000 at 50,000 nodes).
 */
export async function deleteDepartedMatches(c: PoolClient, cycle: Pick<CycleRow, 'cycleId' | 'groupId'>): Promise<number> {
  const { rowCount } = await c.query(
    `WITH RECURSIVE refs(r) AS (
       (SELECT reference_id FROM potential_matches WHERE group_id = $1 ORDER BY reference_id LIMIT 1)
       UNION ALL
       SELECT (SELECT p.reference_id FROM potential_matches p
               WHERE p.group_id = $1 AND p.reference_id > refs.r ORDER BY p.reference_id LIMIT 1)
       FROM refs WHERE refs.r IS NOT NULL
     ), departed AS (
       SELECT r FROM refs WHERE r IS NOT NULL
       EXCEPT SELECT unnest(reference_ids) FROM potential_cycle_pages WHERE cycle_id = $2 AND kind = 'N'
     )
     DELETE FROM potential_matches WHERE group_id = $1 AND reference_id IN (SELECT r FROM departed)`,
    [cycle.groupId, cycle.cycleId]);
  await c.query(
    `DELETE FROM potential_match_reserve WHERE group_id = $1 AND reference_id NOT IN (
       SELECT unnest(reference_ids) FROM potential_cycle_pages WHERE cycle_id = $2 AND kind = 'N')`,
    [cycle.groupId, cycle.cycleId]);
  return rowCount ?? 0;
}

export async function deleteStaging(db: Db, cycleId: string): Promise<void> {
  await db.query('DELETE FROM potential_cycle_pages WHERE cycle_id = $1', [cycleId]);
}

export type RunStatus = 'PENDING' | 'COMPLETED' | 'FAILED';

/** The group's last-run marker; settingsHash is kept from the last COMPLETED run. */
export async function setLastRun(db: Db, r: {
  groupId: string; domainId: string; cycleId: string; status: RunStatus; nodeCount?: number; edgeCount?: number; reason?: string;
  settingsHash?: string;
}): Promise<void> {
  const pending = r.status === 'PENDING';
  await db.query(
    `INSERT INTO last_run_potential_matches (group_id, domain_id, processing_cycle_id, status, started_at, finished_at, node_count, edge_count,
       failure_reason, settings_hash)
     VALUES ($1, $2, $3, $4::varchar, now(), CASE WHEN $5 THEN NULL ELSE now() END, $6, $7, $8, CASE WHEN $4::varchar = 'COMPLETED' THEN $9 END)
     ON CONFLICT (group_id) DO UPDATE SET domain_id = EXCLUDED.domain_id, processing_cycle_id = EXCLUDED.processing_cycle_id,
       status = EXCLUDED.status,
       started_at = CASE WHEN $5 THEN now() ELSE last_run_potential_matches.started_at END,
       finished_at = EXCLUDED.finished_at, node_count = EXCLUDED.node_count, edge_count = EXCLUDED.edge_count,
       failure_reason = EXCLUDED.failure_reason,
       settings_hash = CASE WHEN EXCLUDED.status = 'COMPLETED' THEN EXCLUDED.settings_hash ELSE last_run_potential_matches.settings_hash END`,
    [r.groupId, r.domainId, r.cycleId, r.status, pending, r.nodeCount ?? null, r.edgeCount ?? null, r.reason ?? null, r.settingsHash ?? null]);
}

export interface LastRun {
  cycleId: string | null;
  status: RunStatus | null;
  nodeCount: number | null;
  edgeCount: number | null;
  failureReason: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export async function getLastRun(db: Db, groupId: string): Promise<LastRun | null> {
  const { rows } = await db.query(
    `SELECT processing_cycle_id, status, node_count, edge_count, failure_reason, started_at, finished_at
     FROM last_run_potential_matches WHERE group_id = $1`, [groupId]);
  const r = rows[0];
  return r
    ? {
        cycleId: r.processing_cycle_id, status: r.status, nodeCount: r.node_count === null ? null : Number(r.node_count),
        edgeCount: r.edge_count === null ? null : Number(r.edge_count), failureReason: r.failure_reason,
        startedAt: r.started_at, finishedAt: r.finished_at,
      }
    : null;
}
