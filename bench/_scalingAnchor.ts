// The scaling anchor of `npm run bench -- potential`: the scoring core alone (LSH top-K of a
// 10,000-node group, no I/O) run by one process, then by two at once. Its ratio is what a second
// process can add on this machine when nothing else — PostgreSQL included — needs the cores.
// Run as a child process: prints the milliseconds of one timed pass after a warm-up pass.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CompatibilityScorer } from '../src/matching/compatibilityScorer.ts';
import { encodePage } from '../src/matching/encodedPage.ts';
import { lshGroupTopK } from '../src/matching/groupTopK.ts';
import { lshParamsFrom } from '../src/matching/lshStrategy.ts';
import { config } from '../src/shared/config.ts';
import { syntheticPeople } from '../src/synthetic/people.ts';

const SELF = fileURLToPath(import.meta.url);

function timedPass(): number {
  const cfg = config();
  const lsh = lshParamsFrom({ tables: cfg.lshNumTables, bandsPerTable: cfg.lshBandsPerTable, similarityThreshold: cfg.lshSimilarityThreshold, seed: cfg.lshSeed, numericTolerance: 0.6 });
  const nodes = [...syntheticPeople({ count: 10_000, seed: 7 })];
  const pages = [];
  for (let i = 0; i < nodes.length; i += cfg.nodeFetchBatchSize) pages.push(encodePage(nodes.slice(i, i + cfg.nodeFetchBatchSize), { lsh }));
  lshGroupTopK(new CompatibilityScorer(), { pages }, cfg.topK);
  const t0 = process.hrtime.bigint();
  lshGroupTopK(new CompatibilityScorer(), { pages }, cfg.topK);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function child(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, SELF], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`scaling anchor child exited with ${code}`))));
  });
}

/** Throughput of two processes over one on the scoring core: 2 × t(alone) / t(side by side). */
export async function scoringCoreScaling(): Promise<{ alone: number; together: number[]; ratio: number }> {
  const alone = await child();
  const together = await Promise.all([child(), child()]);
  return { alone, together, ratio: (2 * alone) / Math.max(...together) };
}

if (process.argv[1] === SELF) process.stdout.write(`${timedPass().toFixed(0)}\n`);
