// `npm run bench -- perfect`: the perfect-match algorithms on synthetic inputs, each against the
// issue's target, with two anchors: the reference figures quoted in issue 5 (scipy / networkx on
// this machine, not installable here) and, measured in the same run, the npm `munkres` package on
// the same dense matrices. Shared machines are noisy: read the ratio to munkres, not the seconds.
import munkres from 'munkres';
import { solveDenseAssignment } from '../src/matching/perfect/denseAssignment.ts';
import { maxWeightAssignment, pairsFromMates } from '../src/matching/perfect/optimalAssignment.ts';
import { maxWeightMatching } from '../src/matching/perfect/blossom.ts';
import { auctionAssignment } from '../src/matching/perfect/auction.ts';
import { canonicalBipartite, canonicalGeneral, totalScore, type BipartiteGraph, type GeneralGraph } from '../src/matching/perfect/graph.ts';
import { seededRandom } from '../src/synthetic/random.ts';
import { benchPerfectGroup } from './_perfectGroup.ts';

interface Row {
  case: string;
  seconds: number;
  target?: number;
  anchor?: string;
  check: string;
}

/** Time of the fastest of `runs` runs (the least disturbed by other processes). */
function timeIt<T>(runs: number, f: () => T): { seconds: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    value = f();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { seconds: best, value };
}

function uniformMatrix(n: number, seed: number): Float64Array {
  const rnd = seededRandom(seed);
  const c = new Float64Array(n * n);
  for (let k = 0; k < c.length; k++) c[k] = rnd();
  return c;
}

/** n left × n right nodes; every left node has `degree` edges to uniform random right nodes. */
export function sparseBipartite(n: number, degree: number, seed: number): BipartiteGraph {
  const rnd = seededRandom(seed);
  const m = n * degree;
  const left = new Int32Array(m), right = new Int32Array(m), score = new Float64Array(m);
  for (let i = 0, k = 0; i < n; i++) {
    for (let d = 0; d < degree; d++, k++) {
      left[k] = i;
      right[k] = Math.floor(rnd() * n);
      score[k] = rnd();
    }
  }
  return canonicalBipartite({ nLeft: n, nRight: n, left, right, score });
}

/** n nodes and m uniform random edges (no self-loops; a repeated pair keeps one edge). */
export function randomGeneralGraph(n: number, m: number, seed: number): GeneralGraph {
  const rnd = seededRandom(seed);
  const left = new Int32Array(m), right = new Int32Array(m), score = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const a = Math.floor(rnd() * n);
    const b = (a + 1 + Math.floor(rnd() * (n - 1))) % n;
    left[k] = a;
    right[k] = b;
    score[k] = rnd();
  }
  return canonicalGeneral({ n, left, right, score });
}

/** scipy linear_sum_assignment / sparse matcher and networkx on this machine, as quoted in issue 5. */
const REFERENCE: Record<string, string> = {
  'dense 2000': 'scipy 0.35 s',
  'sparse 50000': 'scipy 3 s',
  'blossom 3000': 'networkx 120 s',
};

export async function run(): Promise<void> {
  process.env.LOG_LEVEL ??= 'warn';
  const rows: Row[] = [];

  for (const n of [1000, 2000, 4000]) {
    const cost = uniformMatrix(n, n);
    const ours = timeIt(n <= 2000 ? 3 : 1, () => solveDenseAssignment(cost, n, n));
    let anchor = REFERENCE[`dense ${n}`] ?? '';
    let check = `cost ${ours.value.cost.toFixed(6)}`;
    if (n <= 2000) {
      const matrix = Array.from({ length: n }, (_, i) => cost.subarray(i * n, (i + 1) * n));
      const m = timeIt(1, () => munkres(matrix));
      let mc = 0;
      for (const [i, j] of m.value) mc += cost[i * n + j];
      anchor = `${anchor ? anchor + '; ' : ''}munkres ${m.seconds.toFixed(2)} s (×${(m.seconds / ours.seconds).toFixed(1)} ours)`;
      check += Math.abs(mc - ours.value.cost) < 1e-9 ? ', = munkres' : `, munkres ${mc.toFixed(6)}`;
    }
    rows.push({ case: `dense assignment ${n}×${n}`, seconds: ours.seconds, target: n === 2000 ? 0.5 : undefined, anchor, check });
  }

  {
    const g = sparseBipartite(50000, 20, 7);
    const ours = timeIt(1, () => maxWeightAssignment(g, { method: 'sparse', denseMaxCells: 0, denseMinDensity: 1 }));
    rows.push({
      case: `sparse assignment 50000+50000, ${g.left.length} edges`,
      seconds: ours.seconds,
      target: 4,
      anchor: REFERENCE['sparse 50000'],
      check: `${ours.value.left.length} pairs, total ${totalScore(ours.value).toFixed(4)}`,
    });
    const auction = timeIt(1, () => pairsFromMates(g, auctionAssignment(g, { bits: 20 }).rightForLeft));
    rows.push({
      case: `auction (20-bit scores), same graph`,
      seconds: auction.seconds,
      check: `${auction.value.left.length} pairs, total ${totalScore(auction.value).toFixed(4)}`,
    });
  }

  {
    const g = randomGeneralGraph(3000, 30000, 3);
    const ours = timeIt(1, () => maxWeightMatching(g));
    rows.push({
      case: `blossom 3000 nodes, ${g.left.length} edges`,
      seconds: ours.seconds,
      target: 3,
      anchor: REFERENCE['blossom 3000'],
      check: `${ours.value.left.length} pairs, total ${totalScore(ours.value).toFixed(4)}`,
    });
  }

  {
    const f = await benchPerfectGroup();
    rows.push({
      case: `group of ${f.edges} potential matches end to end`,
      seconds: f.jobSeconds,
      target: 30,
      anchor: `COPY TO STDOUT of the same rows ${f.anchorSeconds.toFixed(2)} s (job = ×${(f.jobSeconds / f.anchorSeconds).toFixed(1)})`,
      check: `${f.pairs} pairs (optimal assignment); seeding took ${f.seedSeconds.toFixed(1)} s`,
    });
  }

  const w = Math.max(...rows.map((r) => r.case.length));
  process.stdout.write(`${'case'.padEnd(w)}  ${'seconds'.padStart(8)}  ${'target'.padStart(7)}  verdict  anchor / check\n`);
  for (const r of rows) {
    const verdict = r.target === undefined ? '       ' : r.seconds <= r.target ? 'ok     ' : 'SLOWER ';
    const target = r.target === undefined ? '' : `≤ ${r.target}`;
    const notes = [r.anchor, r.check].filter(Boolean).join(' | ');
    process.stdout.write(`${r.case.padEnd(w)}  ${r.seconds.toFixed(3).padStart(8)}  ${target.padStart(7)}  ${verdict}  ${notes}\n`);
  }
}
