// Load (issue 7.2): 20 groups across 5 domains, the domain semaphore at 2, two `matchflow
// producer` processes on a fast cron and two worker processes. Sampled all along: never more
// than 2 permits held, never more than 2 domains with a cycle in progress (PENDING, permit held). Each tick is planned
// once (one plan job per tick, by the leader), and each group with new nodes gets exactly one
// cycle; a second wave of nodes in 5 groups gets exactly one more cycle for those 5.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync, createWriteStream } from 'node:fs';
import { Queue } from 'bullmq';
import { configureGroup, resolveDomain, resolveGroup, type GroupRow } from '../../src/groups/catalog.ts';
import { coordinationContext } from '../../src/shared/coordination/context.ts';
import { RESOURCE } from '../../src/shared/coordination/keys.ts';
import { semaphoreState } from '../../src/shared/coordination/semaphore.ts';
import { bullConnection, openQueue } from '../../src/shared/queue.ts';
import { QUEUE } from '../../src/shared/queues.ts';
import { createRedis } from '../../src/shared/redis.ts';
import { SCHEDULE_QUEUE } from '../../src/producers/potentialScheduler.ts';
import { syntheticPeople } from '../../src/synthetic/people.ts';
import { WorkerFleet } from '../support/chaos/workerFleet.ts';
import { insertNodes } from '../support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../support/testEnv.ts';
import { provisionWorkerRole, type TestWorkerRole } from '../support/workerRole.ts';
import { completedSince, queueIsIdle, until as untilWithin } from '../support/waitFor.ts';

const CLI = fileURLToPath(new URL('../../bin/matchflow.js', import.meta.url));
const LOG = '/tmp/matchflow-load.log';
const DOMAINS = 5;
const GROUPS = 20;
const LIMIT = 2;

const until = <T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs: number) => untilWithin(what, f, { timeoutMs, everyMs: 200 });

describe('load: 20 groups, 5 domains, semaphore 2, two producer processes', function () {
  this.timeout(240000);
  let env: TestEnv;
  let fleet: WorkerFleet;
  let role: TestWorkerRole | undefined;
  const producers: ChildProcess[] = [];
  const groups: GroupRow[] = [];

  before(async () => {
    writeFileSync(LOG, '');
    env = await createTestEnv('load', { overrides: { maxConcurrentDomains: LIMIT } });
    for (let g = 0; g < GROUPS; g++) {
      const domainId = (await resolveDomain(env.pool, `load-domain-${g % DOMAINS}`, true))!;
      const group = (await resolveGroup(env.pool, domainId, `load-group-${g}`, {}))!;
      await configureGroup(env.pool, group, { algorithmId: 'greedy', params: { candidateStrategy: 'flat', topK: 5 } });
      await insertNodes(env.pool, group, syntheticPeople({ count: 120, seed: g, prefix: `l${g}` }));
      groups.push(group);
    }
    const settings = {
      ...env.env, LOG_LEVEL: 'info', MATCH_MAX_CONCURRENT_DOMAINS: String(LIMIT), POTENTIAL_PERMIT_RETRY_MS: '200',
      NODE_FETCH_BATCH_SIZE: '60', MATCHING_TOPK_COUNT: '5', METRICS_PORT: '0', LEADER_LEASE_TTL_MS: '2000', CRON_ZONE: 'UTC',
      POTENTIAL_CRON: '*/4 * * * * *', DATABASE_URL: env.cfg.databaseUrl, REDIS_URL: env.cfg.redisUrl, WORKER_CONCURRENCY: '3',
    };
    role = await provisionWorkerRole(env.pool, env.schema, env.cfg.databaseUrl);
    const workerUrl = new URL(role.url);
    fleet = new WorkerFleet({ size: 2, pgPort: Number(workerUrl.port || 5432), redisPort: Number(new URL(env.cfg.redisUrl).port || 6379),
      queues: 'potential,perfect', logFile: LOG, env: { ...settings, DATABASE_URL: role.url } });
    await fleet.start();
    const log = createWriteStream(LOG, { flags: 'a' });
    for (let i = 0; i < 2; i++) {
      const child = spawn('timeout', ['230', process.execPath, CLI, 'producer', '--no-api'],
        { env: settings, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
      producers.push(child);
    }
  });
  after(async () => {
    await Promise.all(producers.map((p) => new Promise((r) => {
      if (p.exitCode !== null) return r(null);
      p.once('exit', r);
      p.kill('SIGTERM');
    })));
    await fleet?.stop();
    await role?.drop();
    await env?.cleanup();
  });

  it('never runs more than 2 domains at once, and starts exactly one cycle per group per tick', async () => {
    const redis = createRedis(env.cfg);
    const ctx = coordinationContext(env.cfg, redis);
    const plans = new Queue(SCHEDULE_QUEUE, { connection: bullConnection(env.cfg), prefix: env.cfg.queuePrefix });
    const potential = openQueue(env.cfg, QUEUE.potential);
    let maxPermits = 0;
    let maxDomains = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // A cycle in progress is PENDING and holds its permit. finalize-group releases the permit
        // just before its COMPLETED commits (so that whoever sees COMPLETED finds the group free):
        // in between, the cycle has no work left but is still PENDING. Reading the holders after
        // the rows leaves such a cycle out.
        const { rows: pending } = await env.pool.query<{ domain_id: string; permit_token: number | null }>(
          `SELECT l.domain_id, c.permit_token::int FROM last_run_potential_matches l
           JOIN potential_cycles c ON c.cycle_id = l.processing_cycle_id WHERE l.status = 'PENDING'`);
        const sem = await semaphoreState(ctx, RESOURCE.domains.name);
        const held = new Set(sem.holders.map((h) => h.token));
        const domains = new Set(pending.filter((p) => p.permit_token !== null && held.has(p.permit_token)).map((p) => p.domain_id));
        maxPermits = Math.max(maxPermits, sem.holders.length);
        maxDomains = Math.max(maxDomains, domains.size);
        samples++;
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    try {
      const cyclesPerGroup = async () => {
        const { rows } = await env.pool.query('SELECT group_id, count(*)::int AS n FROM potential_cycles GROUP BY group_id');
        return new Map(rows.map((r) => [r.group_id as string, r.n as number]));
      };
      const allDone = async (n: number) => {
        const { rows: [r] } = await env.pool.query(
          "SELECT count(*)::int AS done FROM last_run_perfect_matches WHERE status = 'COMPLETED'");
        const { rows: [u] } = await env.pool.query('SELECT count(*)::int AS n FROM nodes WHERE NOT processed');
        const { rows: [p] } = await env.pool.query("SELECT count(*)::int AS n FROM last_run_potential_matches WHERE status = 'PENDING'");
        return r.done === GROUPS && u.n === 0 && p.n === 0 && (await cyclesPerGroup()).size === GROUPS && n >= 0;
      };
      const t0 = Date.now();
      await until('every group matched', () => allDone(0), 150000);
      const firstWaveMs = Date.now() - t0;
      const first = await cyclesPerGroup();
      expect([...first.values()].every((n) => n === 1), JSON.stringify([...first])).to.equal(true);

      // second wave: new nodes in one group of each domain
      const again = groups.filter((_, i) => i < DOMAINS);
      for (const g of again) await insertNodes(env.pool, g, syntheticPeople({ count: 30, seed: 100 + groups.indexOf(g), prefix: `m${groups.indexOf(g)}` }));
      await until('the second wave', async () => {
        const c = await cyclesPerGroup();
        return again.every((g) => c.get(g.id) === 2) && (await allDone(0));
      }, 90000);
      // two more ticks: nothing new, nothing starts (planned, and whatever they enqueued has run)
      await completedSince(plans, Date.now(), 2, 'two more ticks planned', { timeoutMs: 30_000, everyMs: 200 });
      await until('the potential queue to drain', () => queueIsIdle(potential), 30_000);
      const second = await cyclesPerGroup();
      for (const g of groups) expect(second.get(g.id), g.name).to.equal(again.includes(g) ? 2 : 1);

      // one plan job per tick (the scheduler's job ids carry the tick's time), all run by a leader
      const jobs = await plans.getJobs(['completed']);
      const ticks = jobs.map((j) => j.id!);
      expect(new Set(ticks).size).to.equal(ticks.length);
      expect(new Set(jobs.map((j) => j.timestamp)).size).to.equal(jobs.length);
      const planned = jobs.flatMap((j) => (j.returnvalue as { cycles: string[] }).cycles);
      expect(planned.length).to.be.at.least(GROUPS + DOMAINS);
      const ran = [...second.values()].reduce((a, b) => a + b, 0);
      console.log(`    load: ${GROUPS} groups / ${DOMAINS} domains, first wave ${firstWaveMs} ms, ` +
        `${jobs.length} ticks planned ${planned.length} cycle starts, ${ran} cycles ran; ` +
        `max permits held ${maxPermits}, max domains in progress ${maxDomains} (${samples} samples)`);
      expect(maxPermits).to.be.at.most(LIMIT);
      expect(maxDomains).to.be.at.most(LIMIT);
      expect(maxPermits, 'the semaphore was used to the full').to.equal(LIMIT);
    } finally {
      sampling = false;
      await sampler;
      await plans.close();
      await potential.close();
      redis.disconnect();
    }
  });
});
