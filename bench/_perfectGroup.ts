// End to end perfect stage: a group of potential matches in PostgreSQL → perfect-match-group
// (stream, the group's strategy in a thread, COPY → UPSERT) → perfect_matches. By default a
// bipartite group of 5,000,000 potential matches solved by optimal assignment; `symmetric` seeds
// one node set instead (the group's strategy: blossom). Anchor in the same run: COPY … TO STDOUT
// of the same rows (reading them and nothing else).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { QueueEvents } from 'bullmq';
import { loadConfig } from '../src/shared/config.ts';
import { createPool, ident, withClient, withTransaction } from '../src/shared/db.ts';
import { copyLine, copyLines, copyOutLines } from '../src/shared/copy.ts';
import { migrate } from '../src/shared/migrate.ts';
import { configureGroup, resolveDomain, resolveGroup } from '../src/groups/catalog.ts';
import { bullConnection, openQueue } from '../src/shared/queue.ts';
import { JOB, QUEUE } from '../src/shared/queues.ts';
import { startWorkers } from '../src/workers/runtime.ts';
import { seededRandom } from '../src/synthetic/random.ts';

export interface PerfectGroupFigures {
  edges: number;
  seedSeconds: number;
  anchorSeconds: number;
  jobSeconds: number;
  pairs: number;
  strategy: string;
  nodes: number;
}

export async function benchPerfectGroup(edges = 5_000_000, perLeft = 50, opts: { symmetric?: boolean } = {}): Promise<PerfectGroupFigures> {
  const symmetric = opts.symmetric ?? false;
  const schema = `bench_perfect_${process.pid}`;
  const prefix = `bench-perfect-${process.pid}`;
  const cfg = loadConfig({ ...process.env, DB_SCHEMA: schema, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' });
  const pool = createPool(cfg);
  try {
    await migrate(pool, schema);
    const domainId = (await resolveDomain(pool, 'bench', true))!;
    const group = (await resolveGroup(pool, domainId, symmetric ? 'blossom-group' : 'assign-5m', { matchType: symmetric ? 'SYMMETRIC' : 'BIPARTITE' }))!;
    if (symmetric) await configureGroup(pool, group, { algorithmId: 'blossom', params: {} });
    else await configureGroup(pool, group, { algorithmId: 'assignment', params: { partitionKey: 'type', leftValues: ['L'], rightValues: ['R'] } });
    const nLeft = Math.ceil(edges / perLeft);
    // One node set: every node's potential matches go to other nodes of the same set (named L).
    const nRight = symmetric ? 0 : nLeft;
    const partners = symmetric ? nLeft : nRight;
    const prefix = symmetric ? 'L' : 'R';
    const cycleId = randomUUID();
    const t0 = performance.now();
    const rnd = seededRandom(5);
    await withTransaction(pool, async (c) => {
      await copyLines(c, 'COPY nodes (group_id, domain_id, reference_id, type, processed) FROM STDIN', (function* () {
        for (let i = 0; i < nLeft; i++) yield copyLine([group.id, domainId, `L${i}`, symmetric ? 'P' : 'L', true]);
        for (let j = 0; j < nRight; j++) yield copyLine([group.id, domainId, `R${j}`, 'R', true]);
      })());
      const copy = 'COPY potential_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score) FROM STDIN';
      await copyLines(c, copy, (function* () {
        for (let i = 0; i < nLeft; i++) {
          const seen = new Set<number>();
          while (seen.size < perLeft) {
            const j = Math.floor(rnd() * partners);
            if (!symmetric || j !== i) seen.add(j);
          }
          for (const j of seen) yield `${group.id}\t${domainId}\t${cycleId}\tL${i}\t${prefix}${j}\t${Math.round(rnd() * 1e6) / 1e6}\n`;
        }
      })());
      await c.query(`INSERT INTO last_run_potential_matches (group_id, domain_id, processing_cycle_id, status, started_at, finished_at)
        VALUES ($1, $2, $3, 'COMPLETED', now(), now())`, [group.id, domainId, cycleId]);
    });
    const seedSeconds = (performance.now() - t0) / 1000;
    const a0 = performance.now();
    await withClient(pool, (c) => copyOutLines(c, `COPY (SELECT reference_id, matched_reference_id, compatibility_score FROM potential_matches
      WHERE group_id = ${c.escapeLiteral(group.id)}) TO STDOUT`, () => undefined));
    const anchorSeconds = (performance.now() - a0) / 1000;
    const workers = await startWorkers(cfg, { queues: [QUEUE.perfect], pool });
    const queue = openQueue(cfg, QUEUE.perfect);
    const events = new QueueEvents(QUEUE.perfect, { connection: bullConnection(cfg), prefix: cfg.queuePrefix });
    try {
      await events.waitUntilReady();
      const j0 = performance.now();
      const job = await queue.add(JOB.perfectMatchGroup, { groupId: group.id, domainId });
      const result = (await job.waitUntilFinished(events)) as { pairs: number; strategy: string; nodes: number };
      const jobSeconds = (performance.now() - j0) / 1000;
      return { edges, seedSeconds, anchorSeconds, jobSeconds, pairs: result.pairs, strategy: result.strategy, nodes: result.nodes };
    } finally {
      await events.close();
      await queue.close();
      await workers.close();
    }
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

if (process.argv[1]?.endsWith('_perfectGroup.ts')) {
  const f = await benchPerfectGroup(Number(process.argv[2] ?? 5_000_000));
  process.stdout.write(`${JSON.stringify(f)}\n`);
  process.exit(0);
}
