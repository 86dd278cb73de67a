// Match quality per cycle, through real cycles (in-process workers): a row per cycle kept over
// time, with sizes, pairs, edges and phase times; the recall estimate is 1 for exhaustive scoring,
// equals the true recall when every node is sampled, and is exported as a gauge with the
// reduction ratio. A change of settings by `groups apply` makes the next cycle a full recompute.
import { expect } from 'chai';
import { applyGroups } from '../../../src/groups/applyGroups.ts';
import { getGroup, type GroupRow } from '../../../src/groups/catalog.ts';
import { readGroupSpec } from '../../../src/groups/groupSpec.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { metrics } from '../../../src/shared/metrics.ts';
import { refreshQualityGauges } from '../../../src/ops/qualityGauges.ts';
import { syntheticPeople, type SyntheticNode } from '../../../src/synthetic/people.ts';
import { expectedRows, insertNodes, matchesOf } from '../../support/potentialFixture.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

const K = 10;

interface QualityRow {
  cycle_id: string; mode: string; strategy: string; nodes: number; new_nodes: number; pairs_scored: number; pairs_possible: number;
  reduction_ratio: number; edges_written: number; edges: number; fetch_ms: number; build_ms: number; flush_ms: number; finalize_ms: number;
  recall_sample: number; recall_expected: number; recall_found: number; recall: number | null;
}

describe('match quality per cycle', function () {
  this.timeout(240_000);
  let env: WorkerEnv;

  before(async () => {
    env = await createWorkerEnv('quality', { overrides: { nodeFetchBatchSize: 200, topK: K, retryDelayMs: 100, qualityRecallSample: 200 } });
    await env.startWorkers({ queues: ['potential'], concurrency: 2 });
  });
  after(async () => {
    await env?.cleanup();
  });

  async function group(name: string, raw: unknown): Promise<GroupRow> {
    const report = await applyGroups(env.cfg, env.pool, [{ domain: 'quality', group: name, spec: readGroupSpec(raw) }]);
    return (await getGroup(env.pool, report.groups[0].groupId))!;
  }
  async function cycle(g: GroupRow, incremental: boolean): Promise<string> {
    const id = await startCycle(env.cfg, g, { incremental });
    const out = await waitForCycle(env.cfg, env.pool, g.id, id);
    expect(out.status, JSON.stringify(out)).to.equal('COMPLETED');
    return id;
  }
  const history = async (g: GroupRow): Promise<QualityRow[]> => (await env.pool.query(
    `SELECT * FROM potential_cycle_quality WHERE group_id = $1 ORDER BY finished_at`, [g.id])).rows.map((r) => ({
    ...r, nodes: Number(r.nodes), new_nodes: Number(r.new_nodes), pairs_scored: Number(r.pairs_scored), pairs_possible: Number(r.pairs_possible),
    edges_written: Number(r.edges_written), edges: Number(r.edges), recall_expected: Number(r.recall_expected), recall_found: Number(r.recall_found),
  }));
  const gauge = async (m: typeof metrics.recallEstimate, groupId: string) => (await m.get()).values.find((v) => v.labels.groupId === groupId)?.value;

  it('flat: a row per cycle with sizes, pairs, edges and phase times; recall 1; incremental cycles add rows', async () => {
    const all = [...syntheticPeople({ count: 700, seed: 31, prefix: 'q' })];
    const g = await group('flat', { matchType: 'SYMMETRIC', strategy: 'flat' });
    await insertNodes(env.pool, g, all.slice(0, 500));
    const first = await cycle(g, false);
    const [r] = await history(g);
    expect(r).to.include({ cycle_id: first, mode: 'FULL', strategy: 'flat', nodes: 500, new_nodes: 500, recall_sample: 200, recall: 1 });
    expect(r.pairs_possible).to.equal(500 * 499);
    expect(r.pairs_scored).to.equal(500 * 500); // flat scores every ordered pair, a node with itself included
    expect(r.reduction_ratio).to.equal(0);
    const rows = (await matchesOf(env.pool, g.id)).length;
    expect(r).to.include({ edges: rows, edges_written: rows });
    expect(r.recall_expected).to.equal(200 * K);
    for (const phase of ['fetch_ms', 'build_ms', 'flush_ms', 'finalize_ms'] as const) expect(Number(r[phase]), phase).to.be.at.least(0);
    expect(await gauge(metrics.recallEstimate, g.id)).to.equal(1);
    expect(await gauge(metrics.reductionRatio, g.id)).to.equal(0);

    await insertNodes(env.pool, g, all.slice(500));
    await cycle(g, true);
    const rows2 = await history(g);
    expect(rows2.length).to.equal(2);
    expect(rows2[1]).to.include({ mode: 'INCREMENTAL', nodes: 700, new_nodes: 200, recall: 1 });
    expect(rows2[1].pairs_possible).to.equal(700 * 699);
    expect(rows2[1].reduction_ratio).to.be.greaterThan(0.3);
    expect(await matchesOf(env.pool, g.id)).to.deep.equal(expectedRows(all, K));
  });

  it('LSH: with every node sampled the estimate is the true recall; coarse LSH is flagged below the warning level', async () => {
    const nodes: SyntheticNode[] = [...syntheticPeople({ count: 180, seed: 32, prefix: 'l' })];
    // few bands centred high: many true neighbours never collide
    const g = await group('coarse-lsh', { matchType: 'SYMMETRIC', strategy: 'metadata', lsh: { tables: 1, bandsPerTable: 4, similarityThreshold: 0.8 } });
    await insertNodes(env.pool, g, nodes);
    await cycle(g, false);
    const [r] = await history(g);
    // the true recall over every node, ties counted by score (test/support/recall.ts)
    const byNode = (rows: string[]) => {
      const m = new Map<string, number[]>();
      for (const row of rows) {
        const [, ref, score] = /^(.*)→.*=(.*)$/.exec(row)!;
        m.set(ref, [...(m.get(ref) ?? []), Number(score)]);
      }
      return m;
    };
    const exact = byNode(expectedRows(nodes, K));
    const kept = byNode(await matchesOf(env.pool, g.id));
    let recalled = 0;
    let expected = 0;
    for (const [ref, scores] of exact) {
      const tau = Math.min(...scores);
      recalled += Math.min(scores.length, (kept.get(ref) ?? []).filter((s) => s >= tau).length);
      expected += scores.length;
    }
    const truth = recalled / expected;
    expect(r.recall_sample).to.equal(180);
    expect(r.recall).to.equal(truth);
    expect(r.recall!).to.be.lessThan(env.cfg.qualityRecallWarnBelow).and.greaterThan(0);
    expect(r.pairs_scored).to.be.lessThan(r.pairs_possible / 2);
    expect(r.reduction_ratio).to.be.closeTo(1 - r.pairs_scored / r.pairs_possible, 1e-12);
    expect(await gauge(metrics.recallEstimate, g.id)).to.equal(truth);
    // what /metrics reports in any process: the group's last cycle, read from its quality history
    metrics.recallEstimate.reset();
    await refreshQualityGauges(env.pool, 5000);
    expect(await gauge(metrics.recallEstimate, g.id)).to.equal(truth);
    expect(await gauge(metrics.reductionRatio, g.id)).to.equal(r.reduction_ratio);
  });

  it('bipartite: all possible pairs are left × right both ways', async () => {
    const nodes = [...syntheticPeople({ count: 300, seed: 33, prefix: 'b', types: [['MENTOR', 0.3], ['MENTEE', 0.7]] })];
    const g = await group('sides', { matchType: 'BIPARTITE' });
    await insertNodes(env.pool, g, nodes);
    await cycle(g, false);
    const [r] = await history(g);
    const left = nodes.filter((n) => n.type === 'MENTOR').length;
    expect(r.pairs_possible).to.equal(2 * left * (300 - left));
    expect(r.pairs_scored).to.equal(r.pairs_possible);
    expect(r).to.include({ recall: 1, strategy: 'bipartite' });
  });

  it('a settings change by groups apply makes the next cycle a full recompute, and apply says so', async () => {
    const g = (await env.pool.query(`SELECT id FROM matching_groups WHERE name = 'flat'`)).rows[0];
    const report = await applyGroups(env.cfg, env.pool, [{ domain: 'quality', group: 'flat', spec: readGroupSpec({
      matchType: 'SYMMETRIC', strategy: 'flat', scorer: { weights: { city: 3 } },
    }) }]);
    expect(report.groups[0]).to.deep.include({ action: 'updated', fullRecompute: true });
    const flat = (await getGroup(env.pool, g.id))!;
    await insertNodes(env.pool, flat, syntheticPeople({ count: 5, seed: 34, prefix: 'late' }));
    await cycle(flat, true);
    const rows = await history(flat);
    expect(rows.at(-1)).to.include({ mode: 'FULL', nodes: 705, new_nodes: 705, recall: 1 });
  });
});
