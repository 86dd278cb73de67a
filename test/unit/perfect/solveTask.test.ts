import { expect } from 'chai';
import { ThreadPool } from '../../../src/workers/threadPool.ts';
import { perfectMatch, perfectMatchTransfer, type PerfectMatchTask } from '../../../src/perfect/solveTask.ts';
import { strategyOptionsFromConfig } from '../../../src/groups/groupSettings.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import type { Pairs } from '../../../src/matching/perfect/graph.ts';
import { pairsKey } from './oracle.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';

function task(seed: number): PerfectMatchTask {
  const rnd = seededRandom(seed);
  const n = 1500, m = 15000;
  const left = new Int32Array(m), right = new Int32Array(m), score = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    left[k] = Math.floor(rnd() * n);
    right[k] = (left[k] + 1 + Math.floor(rnd() * (n - 1))) % n;
    score[k] = rnd();
  }
  return { strategy: 'blossom', graph: { bipartite: false, n, left, right, score }, options: strategyOptionsFromConfig(loadConfig({})) };
}

describe('perfect/solveTask', () => {
  const pool = new ThreadPool(new URL('../../../src/perfect/solveTask.ts', import.meta.url), 1);
  after(() => pool.close());

  it('runs a strategy in a thread with the same pairs as in process, the event loop staying free', async () => {
    const expected = pairsKey(perfectMatch(task(5)));
    const t = task(5);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    const got = await pool.run<Pairs>('perfectMatch', t, perfectMatchTransfer(t));
    clearInterval(timer);
    expect(pairsKey(got)).to.equal(expected);
    expect(t.graph.left.byteLength).to.equal(0); // transferred, not copied
    expect(ticks).to.be.greaterThan((Date.now() - started) / 10 / 4);
  });
});
