// `npm run bench -- potential`: the potential-match core and the whole cycle on generated groups.
//
// Data: src/synthetic/people.ts, deterministic per seed. 7 metadata keys: industry (16 values,
// Zipf s=1.1), city (20, s=1.0), language (10, s=1.4), skills (a ';' list of 1-4 of 30 skills,
// s=0.9), years_experience (a number, log-normal around 5, capped at 40), seniority (6 values,
// derived from the years) and availability (4, uniform) — a few common values and a long tail,
// one multi-valued and one numeric key, as in real profile data.
//
// Core figures are CPU seconds of this process (process.cpuUsage), so "per core" holds even while
// other processes share the machine; an anchor (a plain typed-array loop) measured in the same
// run lets figures from different runs be compared as ratios. Cycle figures are wall times: nodes
// already in PostgreSQL → last_run_potential_matches COMPLETED, with `matchflow worker` processes
// (one scoring thread each) doing the work.
import { CompatibilityScorer } from '../src/matching/compatibilityScorer.ts';
import { encodePage, type EncodedPage, type EncodeOptions } from '../src/matching/encodedPage.ts';
import { scoreFlat } from '../src/matching/flatStrategy.ts';
import { flatGroupTopK, lshGroupTopK } from '../test/support/groupTopK.ts';
import { lshParamsFrom } from '../src/matching/lshStrategy.ts';
import { consecutive, noRows, pageSide } from '../src/matching/pageSide.ts';
import { lshCount } from '../src/matching/rowScoring.ts';
import { recallAtK } from '../test/support/recall.ts';
import { TopK } from '../src/matching/topK.ts';
import { config } from '../src/shared/config.ts';
import { syntheticPeople, type SyntheticNode } from '../src/synthetic/people.ts';
import { cycleBench } from './_potentialCycle.ts';
import { printTable, type Row } from './_table.ts';
import { incrementalBench } from './_potentialIncremental.ts';

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function measure<T>(f: () => T): { value: T; seconds: number } {
  const t = cpuSeconds();
  const value = f();
  return { value, seconds: cpuSeconds() - t };
}

function paginate(nodes: SyntheticNode[], size: number, opts: EncodeOptions = {}): EncodedPage[] {
  const pages: EncodedPage[] = [];
  for (let i = 0; i < nodes.length; i += size) pages.push(encodePage(nodes.slice(i, i + size), opts));
  return pages;
}

/** Anchor: additions per CPU-second of a plain Float64Array loop. */
function anchor(): number {
  const a = new Float64Array(1 << 20).fill(1);
  const { seconds, value } = measure(() => {
    let s = 0;
    for (let r = 0; r < 100; r++) for (let i = 0; i < a.length; i++) s += a[i];
    return s;
  });
  return value / seconds;
}

/** Flat scoring throughput: a page of rows against pages of columns, directed, with top-K. */
export function flatThroughput(pageSize: number, columnPages: number, k: number): { pairsPerSecond: number; pairs: number } {
  const nodes = [...syntheticPeople({ count: pageSize * (columnPages + 1), seed: 101 })];
  const pages = paginate(nodes, pageSize);
  const scorer = new CompatibilityScorer();
  const rows = pageSide(pages[0], consecutive(pageSize, 0), consecutive(pageSize, 0));
  const topK = new TopK(pageSize, k);
  // warm-up, so that the measured loop runs optimized code
  scoreFlat(scorer, rows, pageSide(pages[1], consecutive(pageSize, pageSize), noRows(pageSize)), new TopK(pageSize, k), { mirror: false });
  const { value: pairs, seconds } = measure(() => {
    let n = 0;
    for (let j = 1; j < pages.length; j++) {
      n += scoreFlat(scorer, rows, pageSide(pages[j], consecutive(pageSize, j * pageSize), noRows(pageSize)), topK, { mirror: false });
    }
    return n;
  });
  return { pairsPerSecond: pairs / seconds, pairs };
}

/** Each node's LSH candidates over the whole group (what the candidate limit counts), ascending. */
function candidateCounts(pages: EncodedPage[]): Int32Array {
  const ids: Int32Array[] = [];
  let off = 0;
  for (const p of pages) {
    ids.push(consecutive(p.size, off));
    off += p.size;
  }
  const columns = pages.map((page, i) => ({ page, ids: ids[i], filter: 'all' as const }));
  const out = new Int32Array(off);
  pages.forEach((page, i) => {
    const counts = new Int32Array(page.size);
    lshCount({ page, ids: ids[i], filter: 'all' }, columns, counts);
    out.set(counts, ids[i][0] ?? 0);
  });
  return out.sort();
}

/** BENCH_POTENTIAL=core,cycles,incremental picks parts (default: all). */
export async function run(): Promise<void> {
  const parts = (process.env.BENCH_POTENTIAL ?? 'core,cycles,incremental').split(',');
  if (parts.includes('core')) await coreBench();
  if (parts.includes('cycles')) await cycleBench();
  if (parts.includes('incremental')) await incrementalBench();
}

async function coreBench(): Promise<void> {
  const cfg = config();
  const K = cfg.topK;
  const lsh = lshParamsFrom({
    tables: cfg.lshNumTables,
    bandsPerTable: cfg.lshBandsPerTable,
    similarityThreshold: cfg.lshSimilarityThreshold,
    seed: cfg.lshSeed,
    numericTolerance: 0.6,
  });
  const rows: Row[] = [];
  const anchorOps = anchor();
  rows.push({ measure: 'anchor: Float64Array additions / CPU-s', value: `${(anchorOps / 1e6).toFixed(0)} M` });

  const flat = flatThroughput(cfg.nodeFetchBatchSize, 10, K);
  rows.push({
    measure: `flat scoring, pairs / CPU-s (${flat.pairs.toLocaleString('en')} pairs, top-${K})`,
    value: `${(flat.pairsPerSecond / 1e6).toFixed(2)} M`,
    target: 'target ≥ 5 M',
  });
  rows.push({ measure: 'flat scoring, pairs per anchor addition', value: (flat.pairsPerSecond / anchorOps).toFixed(4) });

  const N = 10_000;
  const nodes = [...syntheticPeople({ count: N, seed: 7 })];
  const scorer = new CompatibilityScorer();
  const enc = measure(() => paginate(nodes, cfg.nodeFetchBatchSize, { lsh }));
  const exact = measure(() => flatGroupTopK(scorer, { pages: paginate(nodes, cfg.nodeFetchBatchSize) }, K));
  const approx = measure(() => lshGroupTopK(scorer, { pages: enc.value }, K));
  const recall = recallAtK(exact.value.topK, approx.value.topK);
  rows.push({ measure: `encode ${N.toLocaleString('en')} nodes with band keys (${lsh.bands} bands × ${lsh.rows} rows), CPU-s`, value: enc.seconds.toFixed(2) });
  rows.push({ measure: `flat top-${K} of ${N.toLocaleString('en')} nodes (each pair once), CPU-s`, value: exact.seconds.toFixed(2) });
  rows.push({ measure: `LSH top-${K} of ${N.toLocaleString('en')} nodes (directed), CPU-s`, value: approx.seconds.toFixed(2) });
  rows.push({
    measure: 'LSH pairs scored / all ordered pairs',
    value: (approx.value.pairsScored / (N * (N - 1))).toFixed(3),
  });
  rows.push({ measure: `LSH recall@${K} vs flat (${N.toLocaleString('en')} nodes)`, value: recall.recall.toFixed(4), target: 'target ≥ 0.95' });
  // The candidate limit, against no limit (the run above): the configured one if any, and BENCH_CANDIDATE_LIMITS
  // (comma separated; default the seed's 1,000). No limit is the anchor of these rows.
  const counts = candidateCounts(enc.value);
  const at = (f: number) => counts[Math.floor(f * (counts.length - 1))].toLocaleString('en');
  rows.push({ measure: `LSH candidates per node: 10th percentile, median, 90th, max`, value: `${at(0.1)}, ${at(0.5)}, ${at(0.9)}, ${at(1)}` });
  const listed = (process.env.BENCH_CANDIDATE_LIMITS ?? '1000').split(',').filter(Boolean).map(Number);
  const limits = [...new Set([cfg.lshCandidateLimit, ...listed])].filter((l) => l > 0);
  for (const limit of limits) {
    const capped = measure(() => lshGroupTopK(scorer, { pages: enc.value }, K, limit));
    const r = recallAtK(exact.value.topK, capped.value.topK);
    const tag = `candidate limit ${limit.toLocaleString('en')}${limit === cfg.lshCandidateLimit ? ' (configured)' : ''}`;
    rows.push(
      { measure: `LSH top-${K}, ${tag}, CPU-s`, value: capped.seconds.toFixed(2), target: `${(capped.seconds / approx.seconds).toFixed(2)} × no limit` },
      { measure: `  nodes over the limit`, value: `${((100 * capped.value.capped) / N).toFixed(1)} %` },
      { measure: `  pairs scored / all ordered pairs`, value: (capped.value.pairsScored / (N * (N - 1))).toFixed(3) },
      { measure: `  recall@${K} vs flat`, value: r.recall.toFixed(4), target: `no limit: ${recall.recall.toFixed(4)}` },
    );
  }
  printTable(rows);
}
