// A group's settings as documents: as declared (what apply compares, defaults left out) and as
// effective (every default filled in: what `groups show` prints and GET …/groups/{g} returns).
import type { Config } from '../shared/config.ts';
import type { Pool, PoolClient } from '../shared/db.ts';
import { groupConfiguration, type GroupRow } from './catalog.ts';
import { effectiveSpec } from './effectiveSpec.ts';
import { canonicalSpec, storedSpec, type GroupSpec } from './groupSpec.ts';

export interface GroupDocumentView {
  declared: GroupSpec;
  effective: GroupSpec;
}

/** Throws GroupSettingsError when the stored settings do not validate. */
export async function readGroupDocument(cfg: Config, db: Pool | PoolClient, group: GroupRow): Promise<GroupDocumentView> {
  const spec = storedSpec(group, await groupConfiguration(db, group.id));
  return { declared: canonicalSpec(spec), effective: effectiveSpec(cfg, spec) };
}
