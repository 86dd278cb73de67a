import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { STRATEGIES, STRATEGY_NAMES, UnsupportedGraphError, defaultStrategy, runStrategy, type StrategyName } from '../../../src/matching/perfect/strategies.ts';
import { strategyOptionsFromConfig } from '../../../src/groups/groupSettings.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import type { MatchGraph } from '../../../src/matching/perfect/graph.ts';
import { assertMatchingOf, bipartiteOptimum, generalOptimum, pairsKey, randomBipartite, randomGeneral, randomShape, rng, sumScores } from './oracle.ts';

const opts = strategyOptionsFromConfig(loadConfig({}), { topK: 2, denseMaxCells: 30 });

function shuffled(g: MatchGraph, rnd: () => number, flip: boolean): MatchGraph {
  const m = g.left.length;
  const order = Array.from({ length: m }, (_, k) => k);
  for (let k = m - 1; k > 0; k--) { const r = Math.floor(rnd() * (k + 1)); [order[k], order[r]] = [order[r], order[k]]; }
  // Duplicates with a lower score must not change anything.
  const extra = order.filter(() => rnd() < 0.3);
  const all = [...order, ...extra];
  const left = Int32Array.from(all, (k) => g.left[k]), right = Int32Array.from(all, (k) => g.right[k]);
  const score = Float64Array.from(all, (k, t) => (t >= m ? g.score[k] - 1 : g.score[k]));
  if (!g.bipartite && flip) return { ...g, left: right, right: left, score };
  return { ...g, left, right, score };
}

describe('perfect/strategies', () => {
  it('names exactly the algorithms of migrations/001 matching_algorithms', () => {
    const sql = readFileSync(new URL('../../../migrations/001_core_schema.sql', import.meta.url), 'utf8');
    const block = sql.slice(sql.indexOf('INSERT INTO matching_algorithms'));
    const ids = [...block.slice(0, block.indexOf(';')).matchAll(/\('([a-z-]+)'/g)].map((m) => m[1]);
    expect(ids.sort()).to.deep.equal([...STRATEGY_NAMES].sort());
    expect(STRATEGIES.map((s) => s.name).sort()).to.deep.equal([...STRATEGY_NAMES].sort());
  });

  it('defaults: blossom for SYMMETRIC groups, assignment for BIPARTITE ones', () => {
    expect(defaultStrategy('SYMMETRIC')).to.equal('blossom');
    expect(defaultStrategy('BIPARTITE')).to.equal('assignment');
  });

  it('every strategy gives the same pairs for the same edges in any order, with duplicates (300 graphs each kind)', () => {
    const rnd = rng(81);
    for (let t = 0; t < 300; t++) {
      const b: MatchGraph = { bipartite: true, ...randomBipartite(rnd, randomShape(rnd, 6)) };
      const gg: MatchGraph = { bipartite: false, ...randomGeneral(rnd, randomShape(rnd, 7)) };
      for (const name of STRATEGY_NAMES) {
        expect(pairsKey(runStrategy(name, shuffled(b, rnd, false), opts)), name).to.equal(pairsKey(runStrategy(name, b, opts)));
        if (STRATEGIES.find((s) => s.name === name)!.general) {
          expect(pairsKey(runStrategy(name, shuffled(gg, rnd, true), opts)), name).to.equal(pairsKey(runStrategy(name, gg, opts)));
        }
      }
    }
  });

  it('one-to-one strategies give valid matchings; the optimal ones reach the optimum (300 graphs)', () => {
    const rnd = rng(82);
    const optimal: StrategyName[] = ['assignment', 'auction', 'blossom'];
    for (let t = 0; t < 300; t++) {
      const b = randomBipartite(rnd, randomShape(rnd, 6));
      const g = randomGeneral(rnd, randomShape(rnd, 7));
      for (const s of STRATEGIES.filter((x) => x.oneToOne)) {
        const p = runStrategy(s.name, { bipartite: true, ...b }, opts);
        assertMatchingOf(p, b.left, b.right, b.score, b.nLeft, b.nLeft + b.nRight);
        if (optimal.includes(s.name)) expect(sumScores(p), s.name).to.be.closeTo(bipartiteOptimum(b).weight, 1e-6);
        if (s.name === 'hopcroft-karp') expect(p.left.length).to.equal(bipartiteOptimum(b).cardinality);
        if (!s.general) continue;
        const q = runStrategy(s.name, { bipartite: false, ...g }, opts);
        assertMatchingOf(q, g.left, g.right, g.score, 0, g.n);
        if (s.name === 'blossom') expect(sumScores(q)).to.be.closeTo(generalOptimum(g).weight, 1e-9);
        if (s.name === 'hopcroft-karp') expect(q.left.length).to.equal(generalOptimum(g).cardinality);
      }
    }
  });

  it('refuses bipartite-only strategies on a general graph with a clear message', () => {
    const g: MatchGraph = { bipartite: false, n: 2, left: Int32Array.of(0), right: Int32Array.of(1), score: Float64Array.of(1) };
    for (const name of ['assignment', 'auction', 'stable'] as const) expect(() => runStrategy(name, g, opts)).to.throw(UnsupportedGraphError, /bipartite/);
  });
});
