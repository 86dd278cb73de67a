// The LMDB edge spill (a real LMDB in a temp directory) streams back exactly the edges it was
// given, in rank order, and the streaming strategies over it agree with in-memory ones.
import { expect } from 'chai';
import { join } from 'node:path';
import { loadConfig } from '../../../src/shared/config.ts';
import { localBinaryDb, localStore, LocalStoreError } from '../../../src/shared/localStore.ts';
import { ThreadPool } from '../../../src/workers/threadPool.ts';
import { EdgeSpill } from '../../../src/perfect/edgeSpill.ts';
import { canonicalIds } from '../../../src/perfect/canonicalIds.ts';
import { rankOrder } from '../../../src/matching/perfect/rankOrder.ts';
import { StreamingGreedy } from '../../../src/matching/perfect/streamingGreedy.ts';
import { DegreeCap } from '../../../src/matching/perfect/degreeCap.ts';
import { planSpilled } from '../../../src/perfect/solveSpilled.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';

// the process's one LMDB environment (LMDB_PATH), shared with every other test of the process
const cfg = loadConfig(process.env);

function randomEdges(n: number, m: number, seed: number) {
  const rnd = seededRandom(seed);
  const left = new Int32Array(m), right = new Int32Array(m), score = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    left[k] = Math.floor(rnd() * n);
    do right[k] = Math.floor(rnd() * n); while (right[k] === left[k]);
    score[k] = Math.round(rnd() * 100) / 100; // many ties
  }
  return { left, right, score };
}

async function spillOf(e: ReturnType<typeof randomEdges>, chunk: number, id: string, general: boolean, n: number, runEdges?: number) {
  const spill = new EdgeSpill(localBinaryDb(cfg, 'test-spill'), id, runEdges);
  for (let from = 0; from < e.left.length; from += chunk) {
    const to = Math.min(e.left.length, from + chunk);
    await spill.appendChunk({ left: e.left.slice(from, to), right: e.right.slice(from, to), score: e.score.slice(from, to) });
  }
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  await spill.sortRuns(identity, identity, general);
  return spill;
}

describe('EdgeSpill (LMDB)', () => {
  for (const runEdges of [undefined, 1_000]) {
    it(`merges chunks back in global rank order, each edge once (runs of ${runEdges ?? 'default'} edges)`, async () => {
      const n = 300;
      const e = randomEdges(n, 50_000, 1);
      const spill = await spillOf(e, 7_000, `a${runEdges}`, true, n, runEdges);
      // chunks: 7 of 7,000 edges and one of 1,000; each split into runs of at most runEdges
      expect(spill.stats.runs).to.equal(runEdges ? 7 * Math.ceil(7_000 / runEdges) + 1 : 8);
      const got: string[] = [];
      await spill.merge((a, b, s) => { got.push(`${a},${b},${s}`); });
      const lo = e.left.map((x, k) => Math.min(x, e.right[k]));
      const hi = e.left.map((x, k) => Math.max(x, e.right[k]));
      const want: string[] = [];
      let last = '';
      for (const k of rankOrder(lo, hi, e.score)) {
        const line = `${lo[k]},${hi[k]},${e.score[k]}`;
        if (line !== last) want.push(line);
        last = line;
      }
      expect(got).to.deep.equal(want);
      await spill.clear();
      let left = 0;
      await spill.merge(() => { left++; });
      expect(left).to.equal(0);
    });
  }

  it('streaming greedy over the spill equals greedy over the sorted edges in memory', async () => {
    const n = 500;
    const e = randomEdges(n, 20_000, 2);
    const spill = await spillOf(e, 3_000, 'b', true, n);
    const plan = await planSpilled({ spill, bipartite: false, nLeft: n, nRight: 0 }, 'greedy', 1e9, 10);
    expect(plan.kind).to.equal('pairs');
    const lo = e.left.map((x, k) => Math.min(x, e.right[k]));
    const hi = e.left.map((x, k) => Math.max(x, e.right[k]));
    const g = new StreamingGreedy(n, 0);
    for (const k of rankOrder(lo, hi, e.score)) if (!g.offer(lo[k], hi[k], e.score[k])) break;
    if (plan.kind === 'pairs') expect([...plan.pairs.left]).to.deep.equal([...g.result().left]);
    await spill.clear();
  });

  it('the degree cap keeps exactly the union of every node\'s top edges', async () => {
    const n = 200;
    const e = randomEdges(n, 8_000, 3);
    const spill = await spillOf(e, 2_000, 'c', true, n);
    const cap = 5;
    const reducer = new DegreeCap(n, 0, cap);
    await spill.merge((a, b, s) => { reducer.offer(a, b, s); });
    const kept = reducer.result();
    // brute force: rank all (deduplicated) edges; keep those within top-cap of an endpoint
    const lo = e.left.map((x, k) => Math.min(x, e.right[k]));
    const hi = e.left.map((x, k) => Math.max(x, e.right[k]));
    const seen = new Set<string>();
    const ranked: number[] = [];
    for (const k of rankOrder(lo, hi, e.score)) {
      const key = `${lo[k]},${hi[k]},${e.score[k]}`;
      if (!seen.has(key)) { seen.add(key); ranked.push(k); }
    }
    const per = new Map<number, number[]>();
    for (const k of ranked) for (const v of [lo[k], hi[k]]) per.set(v, [...(per.get(v) ?? []), k]);
    const want = new Set<number>();
    for (const list of per.values()) for (const k of list.slice(0, cap)) want.add(k);
    expect(kept.left.length).to.equal(want.size);
    expect(kept.left.length).to.be.at.most(n * cap);
    await spill.clear();
  });

  it('opens one environment per process and none from a worker thread', async () => {
    localBinaryDb(cfg, 'test-spill');
    expect(() => localStore({ lmdbPath: join(cfg.lmdbPath, 'elsewhere'), lmdbMapSizeBytes: 1 << 30 })).to.throw(LocalStoreError, /one per process/);
    const pool = new ThreadPool(new URL('../../support/localStoreThreadTask.ts', import.meta.url), 1);
    try {
      expect(await pool.run('openFromThread', { path: cfg.lmdbPath })).to.match(/main thread only/);
    } finally {
      await pool.close();
    }
  });

  it('canonical ids follow the sorted reference ids', () => {
    const c = canonicalIds(['b', 'c', 'a']);
    expect(c.refs).to.deep.equal(['a', 'b', 'c']);
    expect([...c.remap]).to.deep.equal([1, 2, 0]);
  });
});
