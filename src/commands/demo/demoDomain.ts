// The demo's synthetic domain: one symmetric group (peer mentoring: anyone with anyone) and
// one bipartite group (mentors × mentees split on `type`).
import type { Pool } from '../../shared/db.ts';
import { configureGroup, resolveDomain, resolveGroup, type GroupRow } from '../../groups/catalog.ts';
import { syntheticPeople, type SyntheticNode } from '../../synthetic/people.ts';

export interface DemoGroup {
  group: GroupRow;
  nodes: () => Generator<SyntheticNode>;
}

export interface DemoDomain {
  domainId: string;
  groups: DemoGroup[];
}

export async function createDemoDomain(pool: Pool, opts: { nodesPerGroup: number; seed: number }): Promise<DemoDomain> {
  const domainId = (await resolveDomain(pool, 'demo-mentoring', true))!;
  const peers = (await resolveGroup(pool, domainId, 'peer-circles', { matchType: 'SYMMETRIC' }))!;
  await configureGroup(pool, peers, { algorithmId: 'blossom', params: { candidateStrategy: 'metadata' } });
  const mentoring = (await resolveGroup(pool, domainId, 'mentor-mentee', { matchType: 'BIPARTITE' }))!;
  await configureGroup(pool, mentoring, {
    algorithmId: 'assignment',
    params: { candidateStrategy: 'bipartite', partitionKey: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'] },
  });
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
