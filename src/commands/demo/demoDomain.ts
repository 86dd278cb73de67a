// The demo's synthetic domain: one symmetric group (peer mentoring: anyone with anyone) and
// one bipartite group (mentors × mentees split on `type`), declared in examples/groups.yaml and
// applied as `matchflow groups apply` applies a file.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../shared/packageRoot.ts';
import type { Config } from '../../shared/config.ts';
import type { Pool } from '../../shared/db.ts';
import { applyGroups } from '../../groups/applyGroups.ts';
import { getGroup, type GroupRow } from '../../groups/catalog.ts';
import { readGroupsFile } from '../../groups/groupsFile.ts';
import { syntheticPeople, type SyntheticNode } from '../../synthetic/people.ts';

export interface DemoGroup {
  group: GroupRow;
  nodes: () => Generator<SyntheticNode>;
}

export interface DemoDomain {
  domainId: string;
  groups: DemoGroup[];
}

export const DEMO_GROUPS_FILE = join(PACKAGE_ROOT, 'examples', 'groups.yaml');

export async function createDemoDomain(cfg: Config, pool: Pool, opts: { nodesPerGroup: number; seed: number }): Promise<DemoDomain> {
  const entries = readGroupsFile(await readFile(DEMO_GROUPS_FILE, 'utf8'), 'examples/groups.yaml');
  const applied = await applyGroups(cfg, pool, entries);
  const byName = new Map(applied.groups.map((g) => [g.group, g]));
  const group = async (name: string): Promise<GroupRow> => (await getGroup(pool, byName.get(name)!.groupId))!;
  const peers = await group('peer-circles');
  const mentoring = await group('mentor-mentee');
  const domainId = peers.domainId;
  return {
    domainId,
    groups: [
      { group: peers, nodes: () => syntheticPeople({ count: opts.nodesPerGroup, seed: opts.seed, prefix: 'peer' }) },
      {
        group: mentoring,
        nodes: () => syntheticPeople({
          count: opts.nodesPerGroup, seed: opts.seed + 1, prefix: 'mm', types: [['MENTOR', 0.4], ['MENTEE', 0.6]],
        }),
      },
    ],
  };
}
