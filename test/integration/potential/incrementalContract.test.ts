// The contract of incremental cycles (docs/architecture.md, "Incremental cycles"): after any
// sequence of imports — new nodes, changed metadata, identical re-imports, nodes removed — an
// incremental cycle leaves potential_matches equal, row for row and score for score, to what a
// full recompute of the same nodes leaves. Through the real import path (CSV → import-file) and
// real potential workers, for the flat, bipartite and metadata (LSH) strategies.
import { expect } from 'chai';
import { configureGroup, resolveDomain, resolveGroup, type GroupRow, type MatchType } from '../../../src/groups/catalog.ts';
import { removeNodes } from '../../../src/import/removeNodes.ts';
import { closeCycleQueues, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { lastPerfectRun } from '../../../src/perfect/lastRuns.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { syntheticPeople, type SyntheticNode } from '../../../src/synthetic/people.ts';
import { peopleCsv } from '../../../src/synthetic/peopleCsv.ts';
import { startWorkers, type WorkerPool } from '../../../src/workers/runtime.ts';
import { createImportFixture, type ImportFixture } from '../../support/importFixture.ts';
import { matchesOf } from '../../support/potentialFixture.ts';
import { until } from '../../support/waitFor.ts';

const K = 20;
const MENTORING: Array<[string, number]> = [['MENTOR', 0.4], ['MENTEE', 0.6]];
const STRATEGIES: Array<{ name: string; params: Record<string, unknown>; matchType: MatchType }> = [
  { name: 'flat', params: { candidateStrategy: 'flat' }, matchType: 'SYMMETRIC' },
  {
    name: 'bipartite', matchType: 'BIPARTITE',
    params: { candidateStrategy: 'bipartite', partitionKey: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'] },
  },
  { name: 'metadata', params: { candidateStrategy: 'metadata' }, matchType: 'SYMMETRIC' },
];

describe('incremental cycles equal a full recompute', function () {
  this.timeout(300000);
  let fx: ImportFixture;
  let workers: WorkerPool;
  let files = 0;
  /** rows compared, over every check of this file (the closing note quotes it) */
  let compared = 0;

  before(async () => {
    fx = await createImportFixture('inccontract', { topK: K, nodeFetchBatchSize: 250, retryDelayMs: 50 });
    workers = await startWorkers(fx.cfg, { queues: ['potential', 'perfect'], concurrency: 2, pool: fx.t.pool });
  });
  after(async () => {
    await workers?.close();
    await closeCycleQueues();
    await fx?.close();
    process.stdout.write(`      (potential_matches rows compared in this file: ${compared})\n`);
  });

  async function makeGroup(name: string, params: Record<string, unknown>, matchType: MatchType): Promise<GroupRow> {
    const domainId = (await resolveDomain(fx.t.pool, 'contract', true))!;
    const group = (await resolveGroup(fx.t.pool, domainId, name, { matchType }))!;
    await configureGroup(fx.t.pool, group, { algorithmId: 'top-k', params });
    return group;
  }

  async function importPeople(group: GroupRow, nodes: SyntheticNode[]): Promise<void> {
    const file = await fx.file(`people-${files++}.csv`, [...peopleCsv(nodes)].join(''));
    const job = await fx.run({ source: { kind: 'file', path: file }, domain: 'contract', group: group.name, fileName: file });
    expect(job.status, job.failureReason ?? '').to.equal('COMPLETED');
  }

  /** the ids of the cycles cycle() ran, in order */
  const cycleIds: string[] = [];

  async function cycle(group: GroupRow, incremental: boolean): Promise<string> {
    const cycleId = await startCycle(fx.cfg, group, { incremental });
    cycleIds.push(cycleId);
    const out = await waitForCycle(fx.cfg, fx.t.pool, group.id, cycleId, 50, 120000);
    if (out.status === 'SKIPPED') return `SKIPPED: ${out.reason}`;
    expect(out.status, JSON.stringify(out)).to.equal('COMPLETED');
    // the perfect run finalize-group enqueued for this cycle
    const perfect = await until(`the perfect run of cycle ${cycleId}`, async () => {
      const p = await lastPerfectRun(fx.t.pool, group.id);
      return p?.potentialCycleId === cycleId && p.status !== 'PENDING' && p;
    }, { timeoutMs: 60000 });
    expect(perfect.status).to.equal('COMPLETED');
    return out.status;
  }

  const perfectOf = async (groupId: string) => (await fx.t.pool.query(
    `SELECT reference_id || '↔' || matched_reference_id || '=' || compatibility_score AS pair FROM perfect_matches WHERE group_id = $1 ORDER BY 1`,
    [groupId])).rows.map((r) => r.pair as string);

  /**
   * Runs an incremental cycle, then a full recompute of the same nodes: both leave the same rows,
   * and the perfect runs that follow them the same pairs.
   */
  async function incrementalEqualsFull(group: GroupRow): Promise<string[]> {
    expect(await cycle(group, true)).to.equal('COMPLETED');
    const incremental = await matchesOf(fx.t.pool, group.id);
    const perfectAfterIncremental = await perfectOf(group.id);
    expect(await cycle(group, false)).to.equal('COMPLETED');
    const full = await matchesOf(fx.t.pool, group.id);
    expect(incremental.length).to.be.greaterThan(0);
    expect(incremental).to.deep.equal(full);
    expect(perfectAfterIncremental).to.deep.equal(await perfectOf(group.id));
    compared += full.length;
    return full;
  }

  /** The same people with the metadata of other synthetic people (and so, other scores). */
  function changed(nodes: SyntheticNode[], seed: number, types?: Array<[string, number]>): SyntheticNode[] {
    const other = [...syntheticPeople({ count: nodes.length, seed, prefix: 'x', types })];
    return nodes.map((n, i) => ({ referenceId: n.referenceId, type: types ? other[i].type : n.type, metadata: other[i].metadata }));
  }

  for (const s of STRATEGIES) {
    it(`${s.name}: 1,500 nodes, then an import that changes 300 of them and adds 300`, async () => {
      const types = s.matchType === 'BIPARTITE' ? MENTORING : undefined;
      const group = await makeGroup(`changed-${s.name}`, s.params, s.matchType);
      const people = [...syntheticPeople({ count: 1500, seed: 101, prefix: 'p', types })];
      await importPeople(group, people);
      expect(await cycle(group, true)).to.equal('COMPLETED');
      const edits = changed(people.filter((_, i) => i % 5 === 2), 202, types);
      const added = [...syntheticPeople({ count: 300, seed: 303, prefix: 'q', types })];
      await importPeople(group, [...edits, ...added]);
      await incrementalEqualsFull(group);
    });
  }

  it('a re-import of identical rows re-scores nothing and changes nothing', async () => {
    const group = await makeGroup('identical', { candidateStrategy: 'metadata' }, 'SYMMETRIC');
    const people = [...syntheticPeople({ count: 600, seed: 7, prefix: 'i' })];
    await importPeople(group, people);
    expect(await cycle(group, true)).to.equal('COMPLETED');
    const before = await matchesOf(fx.t.pool, group.id);
    await importPeople(group, people);
    const { rows } = await fx.t.pool.query('SELECT count(*)::int AS n FROM nodes WHERE group_id = $1 AND NOT processed', [group.id]);
    expect(rows[0].n).to.equal(0);
    expect(await cycle(group, true)).to.equal('SKIPPED: no new nodes');
    expect(await matchesOf(fx.t.pool, group.id)).to.deep.equal(before);
  });

  it('a node whose change moves it out of everyone\'s top-K leaves no row pointing at it', async () => {
    const group = await makeGroup('vanished', { candidateStrategy: 'flat' }, 'SYMMETRIC');
    const people = [...syntheticPeople({ count: 600, seed: 8, prefix: 'v' })];
    await importPeople(group, people);
    expect(await cycle(group, true)).to.equal('COMPLETED');
    // the most wanted node: the one most rows point at
    const { rows: [star] } = await fx.t.pool.query(
      `SELECT matched_reference_id AS ref, count(*)::int AS n FROM potential_matches WHERE group_id = $1
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`, [group.id]);
    expect(star.n).to.be.greaterThan(K / 2);
    const nobody = { referenceId: star.ref, type: 'PERSON', metadata: Object.fromEntries(Object.keys(people[0].metadata).map((k) => [k, `nobody-${k}`])) };
    await importPeople(group, [nobody]);
    const rows = await incrementalEqualsFull(group);
    expect(rows.filter((r) => r.includes(`→${star.ref}=`))).to.deep.equal([]);
  });

  it('removed nodes: the next incremental cycle refills the lists that lost them', async () => {
    const group = await makeGroup('removed', { candidateStrategy: 'metadata' }, 'SYMMETRIC');
    const people = [...syntheticPeople({ count: 900, seed: 10, prefix: 'r' })];
    await importPeople(group, people);
    expect(await cycle(group, true)).to.equal('COMPLETED');
    const gone = people.filter((_, i) => i % 9 === 4).map((n) => n.referenceId);
    const redis = createRedis(fx.cfg);
    try {
      const out = await removeNodes({ cfg: fx.cfg, pool: fx.t.pool, redis }, group, gone, 5000);
      expect(out).to.include({ status: 'removed', removed: gone.length });
    } finally {
      redis.disconnect();
    }
    const rows = await incrementalEqualsFull(group);
    const removed = new Set(gone);
    expect(rows.filter((r) => removed.has(r.split('→')[0]) || removed.has(r.split('→')[1].split('=')[0]))).to.deep.equal([]);
  });

  it('a node moved across the bipartite partition (MENTOR → MENTEE) is paired from its new side only', async () => {
    const s = STRATEGIES[1];
    const group = await makeGroup('moved', s.params, s.matchType);
    const people = [...syntheticPeople({ count: 800, seed: 9, prefix: 'm', types: MENTORING })];
    await importPeople(group, people);
    expect(await cycle(group, true)).to.equal('COMPLETED');
    const movers = people.filter((n) => n.type === 'MENTOR').slice(0, 40).map((n) => ({ ...n, type: 'MENTEE' }));
    await importPeople(group, movers);
    const rows = await incrementalEqualsFull(group);
    const movedIds = new Set(movers.map((n) => n.referenceId));
    const mentees = new Set([...people.filter((n) => n.type === 'MENTEE').map((n) => n.referenceId), ...movedIds]);
    for (const r of rows) {
      const [from, rest] = r.split('→');
      const to = rest.split('=')[0];
      // every row pairs a mentor with a mentee
      expect(mentees.has(from) !== mentees.has(to), r).to.equal(true);
    }
  });

  it('metadata with a candidate limit: capped nodes are scored against every node, the others merged', async () => {
    // about half of these 1,500 nodes have more LSH candidates than the limit
    const LIMIT = 150;
    const group = await makeGroup('capped', { candidateStrategy: 'metadata', lsh: { candidateLimit: LIMIT } }, 'SYMMETRIC');
    const people = [...syntheticPeople({ count: 1500, seed: 101, prefix: 'p' })];
    await importPeople(group, people);
    expect(await cycle(group, true)).to.equal('COMPLETED');
    const { rows: [split] } = await fx.t.pool.query(
      `SELECT count(*) FILTER (WHERE colliders > $2)::int AS capped, count(*) FILTER (WHERE colliders <= $2)::int AS free
       FROM potential_match_lists WHERE group_id = $1`, [group.id, LIMIT]);
    expect(split.capped).to.be.within(300, 1200);
    expect(split.free).to.be.within(300, 1200);
    const edits = changed(people.filter((_, i) => i % 5 === 2), 202);
    const added = [...syntheticPeople({ count: 300, seed: 303, prefix: 'q' })];
    await importPeople(group, [...edits, ...added]);
    await incrementalEqualsFull(group);
    // the incremental cycle (the one before the full recompute) re-scored the capped unchanged nodes, and merged others
    const incremental = cycleIds.at(-2);
    const builds = (await potentialQueue(fx.cfg).getJobs(['completed'], 0, -1))
      .filter((j) => j.name === 'build-chunk-pair' && (j.data as { cycleId: string }).cycleId === incremental)
      .map((j) => j.returnvalue as { rescored: number; capped: number; page: string });
    const existing = builds.filter((b) => b.page.startsWith('E'));
    const rescored = existing.reduce((n, b) => n + b.rescored, 0);
    const capped = existing.reduce((n, b) => n + b.capped, 0);
    expect(rescored, 'some unchanged nodes were merged').to.be.lessThan(1500 - edits.length);
    expect(capped, 'capped unchanged nodes').to.be.greaterThan(0);
    expect(rescored, 'the capped unchanged nodes were re-scored').to.be.at.least(capped);
  });
});
