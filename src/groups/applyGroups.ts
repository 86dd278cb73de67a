// Applying group settings documents: creates the domains and groups that are missing, and updates
// the groups whose settings differ, in one transaction — a file that fails anywhere changes
// nothing. `matchflow groups apply`, PUT /v1/domains/{d}/groups/{g} and the demo all come here.
//
// A group is updated when its effective settings (every default filled in) would change, and then
// stores what the document declares (canonicalSpec: defaults left out, so that a later change of a
// process default reaches it). So a second apply of a file changes nothing, nor does applying what
// `groups show` printed. Defaults that process settings decide (MATCHING_TOPK_COUNT, MATCHING_LSH_*,
// PERFECT_STABLE_CAPACITY) are those of the process that applies. A dry run does everything in
// the transaction, then rolls it back.
import { withTransaction, type Pool, type PoolClient } from '../shared/db.ts';
import type { Config } from '../shared/config.ts';
import { configureGroup, groupConfiguration, resolveDomain, resolveGroup, type GroupRow } from './catalog.ts';
import { effectiveSpec } from './effectiveSpec.ts';
import { settingsFingerprint, settingsOf } from './groupSettings.ts';
import { canonicalSpec, configurationOf, flattenSpec, GroupSettingsError, storedSpec, type GroupSpec } from './groupSpec.ts';

export interface GroupDocument {
  domain: string;
  group: string;
  spec: GroupSpec;
}

export interface FieldChange {
  field: string;
  /** the effective value before and after ('(not set)': the field does not apply); created groups: the declared values */
  from: string;
  to: string;
}

export interface GroupOutcome {
  domain: string;
  group: string;
  groupId: string;
  domainCreated: boolean;
  action: 'created' | 'updated' | 'unchanged';
  changes: FieldChange[];
  /**
   * The potential-stage settings differ from those of the group's last completed cycle: its next
   * cycle is a full recompute (beginCycle compares the settings fingerprints).
   */
  fullRecompute: boolean;
  /** the stored settings did not validate (they are replaced) */
  storedProblem?: string;
}

export interface ApplyReport {
  dryRun: boolean;
  groups: GroupOutcome[];
}

/** Serializes applies: two at once would each find a group missing and both create it. */
const APPLY_LOCK = "hashtext('matchflow:groups-apply')";

class DryRunDone extends Error {
  constructor(readonly report: ApplyReport) {
    super('dry run');
  }
}

export async function applyGroups(cfg: Config, pool: Pool, docs: GroupDocument[], opts: { dryRun?: boolean } = {}): Promise<ApplyReport> {
  const dryRun = opts.dryRun ?? false;
  try {
    return await withTransaction(pool, async (c) => {
      await c.query(`SELECT pg_advisory_xact_lock(${APPLY_LOCK})`);
      const groups: GroupOutcome[] = [];
      for (const d of docs) groups.push(await applyOne(cfg, c, d));
      const report = { dryRun, groups };
      if (dryRun) throw new DryRunDone(report);
      return report;
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.report;
    throw err;
  }
}

/** JSON with sorted keys: equal for equal documents whatever order their fields came in. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

const show = (v: unknown): string => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** What differs between two documents, field by field. */
function fieldChanges(before: GroupSpec | null, after: GroupSpec): FieldChange[] {
  const a = before ? flattenSpec(before) : new Map<string, unknown>();
  const b = flattenSpec(after);
  const value = (m: Map<string, unknown>, field: string): string => (m.has(field) ? show(m.get(field)) : '(not set)');
  const fields = [...new Set([...a.keys(), ...b.keys()])];
  return fields.filter((f) => stable(a.get(f)) !== stable(b.get(f))).map((field) => ({ field, from: value(a, field), to: value(b, field) }));
}

async function lastCompletedHash(c: PoolClient, groupId: string): Promise<string | null> {
  const { rows } = await c.query<{ settings_hash: string | null }>('SELECT settings_hash FROM last_run_potential_matches WHERE group_id = $1', [groupId]);
  return rows[0]?.settings_hash ?? null;
}

async function applyOne(cfg: Config, c: PoolClient, doc: GroupDocument): Promise<GroupOutcome> {
  const wanted = canonicalSpec(doc.spec);
  let domainId = await resolveDomain(c, doc.domain);
  const domainCreated = domainId === null;
  domainId ??= (await resolveDomain(c, doc.domain, true))!;
  const existing = await resolveGroup(c, domainId, doc.group);
  const base = { domain: doc.domain, group: doc.group, domainCreated };
  if (!existing) {
    const group = (await resolveGroup(c, domainId, doc.group, { matchType: wanted.matchType }))!;
    await configureGroup(c, group, configurationOf(wanted));
    return { ...base, groupId: group.id, action: 'created', changes: fieldChanges(null, wanted), fullRecompute: false };
  }
  let before: GroupSpec | null = null;
  let storedProblem: string | undefined;
  try {
    before = effectiveSpec(cfg, storedSpec(existing, await groupConfiguration(c, existing.id)));
  } catch (err) {
    if (!(err instanceof GroupSettingsError)) throw err;
    storedProblem = err.message;
  }
  const after = effectiveSpec(cfg, wanted);
  if (before && stable(before) === stable(after)) return { ...base, groupId: existing.id, action: 'unchanged', changes: [], fullRecompute: false };
  let group: GroupRow = existing;
  if (existing.matchType !== wanted.matchType) {
    await c.query('UPDATE matching_groups SET match_type = $2 WHERE id = $1', [existing.id, wanted.matchType]);
    group = { ...existing, matchType: wanted.matchType };
  }
  await configureGroup(c, group, configurationOf(wanted));
  const lastHash = await lastCompletedHash(c, existing.id);
  const fullRecompute = lastHash !== null && lastHash !== settingsFingerprint(settingsOf(cfg, wanted));
  return { ...base, groupId: existing.id, action: 'updated', changes: fieldChanges(before, before ? after : wanted), fullRecompute, storedProblem };
}
