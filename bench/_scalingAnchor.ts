// The scaling anchors of `npm run bench -- potential`, the two halves of a build job measured
// apart: the scoring core alone (LSH top-K of a 10,000-node group, no I/O) run by one process,
// then by two at once — what a second process adds when nothing else needs the cores; and
// PostgreSQL writing a cycle's rows with one connection, then two — what a second writer adds to
// PostgreSQL's side. The scoring anchor runs as a child process: it prints the milliseconds of one
// timed pass after a warm-up pass.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CompatibilityScorer } from '../src/matching/compatibilityScorer.ts';
import { encodePage } from '../src/matching/encodedPage.ts';
import { lshGroupTopK } from '../test/support/groupTopK.ts';
import { lshParamsFrom } from '../src/matching/lshStrategy.ts';
import { config } from '../src/shared/config.ts';
import { syntheticPeople } from '../src/synthetic/people.ts';
import { COPY_NEW_PAGE, pageCopyData, type PageEdge } from '../src/potential/pageMatches.ts';
import { copyChunks } from '../src/shared/copy.ts';
import { withTransaction, type Pool } from '../src/shared/db.ts';

const SELF = fileURLToPath(import.meta.url);

function timedPass(): number {
  const cfg = config();
  const lsh = lshParamsFrom({
    tables: cfg.lshNumTables, bandsPerTable: cfg.lshBandsPerTable, similarityThreshold: cfg.lshSimilarityThreshold, seed: cfg.lshSeed, numericTolerance: 0.6,
  });
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

/**
 * The write anchor: 1,000,000 potential_matches rows (10,000 nodes × 100, the rows of a
 * 10,000-node cycle) COPYed by one connection, half after half, then by two connections at once,
 * each from an empty table after a CHECKPOINT. Its ratio is what a second writer adds to
 * PostgreSQL's side of a cycle on this machine.
 */
export async function rowWriteScaling(pool: Pool): Promise<{ serialMs: number; parallelMs: number; ratio: number }> {
  // Each half as a build job's pages would send it, in its own cycle's ids, encoded beforehand:
  // the anchor times PostgreSQL alone.
  const halves = [0, 1].map((h) => {
    const cycle = { cycleId: randomUUID(), groupId: randomUUID(), domainId: randomUUID() };
    const edges = Array.from({ length: 5000 * 100 }, (_, e): PageEdge => {
      const node = h * 5000 + Math.floor(e / 100);
      const j = e % 100;
      return {
        referenceId: `w${String(node).padStart(8, '0')}`,
        matchedReferenceId: `w${String((node * 7919 + j * 104729) % 10_000).padStart(8, '0')}-${j}`,
        score: j / 100,
      };
    });
    return [...pageCopyData(edges, cycle)];
  });
  const copy = (chunks: Buffer[]) => withTransaction(pool, (c) => copyChunks(c, COPY_NEW_PAGE, chunks));
  const fresh = async () => {
    await pool.query('TRUNCATE potential_matches');
    await pool.query('CHECKPOINT').catch(() => undefined);
  };
  await fresh();
  let t0 = Date.now();
  for (const h of halves) await copy(h);
  const serialMs = Date.now() - t0;
  await fresh();
  t0 = Date.now();
  await Promise.all(halves.map(copy));
  const parallelMs = Date.now() - t0;
  await fresh();
  return { serialMs, parallelMs, ratio: serialMs / parallelMs };
}
