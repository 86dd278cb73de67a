// `matchflow explain` after real cycles (in-process workers, groups set up by applyGroups): the
// total it prints is the score potential_matches holds, bit for bit, for integer and fractional
// weights, flat and LSH candidates, symmetric and bipartite groups; it says where each node ranks
// the other and whether the perfect stage chose the pair.
import { expect } from 'chai';
import { applyGroups } from '../../../src/groups/applyGroups.ts';
import { getGroup, type GroupRow } from '../../../src/groups/catalog.ts';
import { readGroupSpec } from '../../../src/groups/groupSpec.ts';
import { explainPair, ExplainError } from '../../../src/potential/explainPair.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { insertNodes } from '../../support/potentialFixture.ts';
import { runCli } from '../../support/runCli.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

const K = 8;

describe('explaining a stored score', function () {
  this.timeout(180_000);
  let env: WorkerEnv;

  before(async () => {
    env = await createWorkerEnv('explain', { overrides: { nodeFetchBatchSize: 150, topK: K, topKReserve: 4, retryDelayMs: 100 } });
    await env.startWorkers({ queues: ['potential', 'perfect'], concurrency: 2 });
  });
  after(async () => {
    await env?.cleanup();
  });
  // the command runs with the settings the workers ran with
  const cliEnv = () => ({ ...env.env, MATCHING_TOPK_COUNT: String(K), MATCHING_TOPK_RESERVE: '4' });

  async function groupWithMatches(name: string, raw: unknown, people: Parameters<typeof syntheticPeople>[0]): Promise<GroupRow> {
    const report = await applyGroups(env.cfg, env.pool, [{ domain: 'explain', group: name, spec: readGroupSpec(raw) }]);
    const group = (await getGroup(env.pool, report.groups[0].groupId))!;
    await insertNodes(env.pool, group, syntheticPeople(people));
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId)).status).to.equal('COMPLETED');
    await until('the perfect run completed', async () => (await env.pool.query(
      `SELECT status FROM last_run_perfect_matches WHERE group_id = $1 AND potential_cycle_id = $2`, [group.id, cycleId])).rows[0]?.status === 'COMPLETED');
    return group;
  }

  /** Every stored row's score against explainPair's total, bit for bit (a sample of `n` rows). */
  async function checkStoredScores(group: GroupRow, n: number): Promise<void> {
    const { rows } = await env.pool.query<{ reference_id: string; matched_reference_id: string; compatibility_score: number }>(
      `SELECT reference_id, matched_reference_id, compatibility_score FROM potential_matches WHERE group_id = $1
        ORDER BY md5(reference_id || matched_reference_id) LIMIT $2`, [group.id, n]);
    expect(rows.length).to.equal(n);
    for (const r of rows) {
      const v = await explainPair(env.cfg, env.pool, group, r.reference_id, r.matched_reference_id);
      expect(Object.is(v.score, Number(r.compatibility_score)), `${r.reference_id}→${r.matched_reference_id}`).to.equal(true);
      expect(v.storedEqual).to.equal(true);
      expect(v.places.a.inTopK).to.equal(true);
      expect(v.places.a.storedScore).to.equal(v.score);
      expect(v.caveats).to.deep.equal([]);
    }
  }

  it('symmetric, LSH candidates, fractional weights: every total equals the stored score; the CLI prints it', async () => {
    const group = await groupWithMatches('lsh-weighted', {
      matchType: 'SYMMETRIC', strategy: 'metadata', scorer: { weights: { skills: 2.5, city: 0.75 } }, perfect: { algorithm: 'greedy' },
    }, { count: 400, seed: 21, prefix: 'w' });
    await checkStoredScores(group, 150);

    const { rows: [best] } = await env.pool.query(
      `SELECT p.reference_id, p.matched_reference_id, p.compatibility_score FROM perfect_matches p WHERE group_id = $1
        ORDER BY compatibility_score DESC, reference_id LIMIT 1`, [group.id]);
    const r = await runCli(['explain', '--domain', 'explain', '--group', 'lsh-weighted', best.reference_id, best.matched_reference_id], cliEnv());
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(new RegExp(`^A = ${best.reference_id}, B = ${best.matched_reference_id} in group lsh-weighted \\(SYMMETRIC\\)`));
    expect(r.stdout).to.match(/^key\s+A\s+B\s+rule\s+weight\s+share\s+adds$/m);
    expect(r.stdout).to.match(/^skills\s.*\s2\.5\s/m);
    expect(r.stdout).to.contain(`score      ${Number(best.compatibility_score)}   (matched weight`);
    expect(r.stdout).to.contain(`stored     ${Number(best.compatibility_score)}   (equal to the score, bit for bit)`);
    expect(r.stdout).to.match(/top-K {6}B is #\d+ in A's top-8/);
    expect(r.stdout).to.contain('LSH        the two share a MinHash band: candidates');
    expect(r.stdout).to.contain('perfect    chosen by greedy');
    expect(r.stdout).not.to.contain('caveat');
    const j = await runCli(['explain', '--domain', 'explain', '--group', 'lsh-weighted', '--json', best.reference_id, best.matched_reference_id], cliEnv());
    const view = JSON.parse(j.stdout);
    expect(view.score).to.equal(Number(best.compatibility_score));
    expect(view.keys.reduce((s: number, k: { contribution: number }) => s + k.contribution, 0)).to.be.closeTo(view.score, 1e-12);
  });

  it('bipartite, flat, integer weights: equal totals; a same-side pair is said never to be scored', async () => {
    const group = await groupWithMatches('mentoring', {
      matchType: 'BIPARTITE', scorer: { weights: { industry: 2 } }, perfect: { algorithm: 'assignment' },
    }, { count: 300, seed: 22, prefix: 'm', types: [['MENTOR', 0.4], ['MENTEE', 0.6]] });
    await checkStoredScores(group, 100);
    const { rows } = await env.pool.query(`SELECT reference_id FROM nodes WHERE group_id = $1 AND type = 'MENTOR' ORDER BY reference_id LIMIT 2`, [group.id]);
    const v = await explainPair(env.cfg, env.pool, group, rows[0].reference_id, rows[1].reference_id);
    expect(v.notScored).to.equal('both nodes are on the left side: the group only pairs left with right');
    expect(v.places.a.rank).to.equal(null);
    expect(v.keys.map((k) => k.key)).not.to.include('type');
  });

  it('says when a node is not in the group, and when the data changed since the cycle', async () => {
    const group = (await env.pool.query(`SELECT id, domain_id, name, match_type FROM matching_groups WHERE name = 'mentoring'`)).rows[0];
    const g: GroupRow = { id: group.id, domainId: group.domain_id, name: group.name, matchType: group.match_type };
    let err: unknown;
    try {
      await explainPair(env.cfg, env.pool, g, 'm-0000000', 'nobody');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ExplainError);
    expect((err as Error).message).to.equal("no node 'nobody' in group mentoring");
    const r = await runCli(['explain', '--domain', 'explain', '--group', 'mentoring', 'm-0000000', 'nobody'], cliEnv());
    expect([r.status, r.stderr]).to.deep.equal([1, "matchflow explain: no node 'nobody' in group mentoring\n"]);

    const { rows: [pair] } = await env.pool.query(
      'SELECT reference_id, matched_reference_id FROM potential_matches WHERE group_id = $1 ORDER BY reference_id LIMIT 1', [g.id]);
    await env.pool.query(`UPDATE nodes SET processed = false WHERE group_id = $1 AND reference_id = $2`, [g.id, pair.reference_id]);
    const v = await explainPair(env.cfg, env.pool, g, pair.reference_id, pair.matched_reference_id);
    expect(v.caveats).to.deep.equal([`${pair.reference_id} is new or changed since the last completed cycle: its stored figures are older than its data`]);
  });
});
