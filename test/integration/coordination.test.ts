// Redis coordination against the real Redis, with competing OS processes
// (test/support/coordinationContender.ts): mutual exclusion, the semaphore's bound, expiry of a
// SIGKILLed holder's lock exactly at its TTL with a larger fencing token for the next holder,
// and leader failover.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { createTestEnv, type TestEnv } from '../support/testEnv.ts';
import { createRedis, prefixedKey } from '../../src/shared/redis.ts';
import { coordinationContext, type CoordinationContext } from '../../src/shared/coordination/context.ts';
import { acquireLock, isLockHeld, lockHolder, releaseLock, resumeLock } from '../../src/shared/coordination/mutex.ts';
import { acquirePermit, semaphoreState } from '../../src/shared/coordination/semaphore.ts';
import { LeaderLease } from '../../src/shared/coordination/leaderLease.ts';
import { admitFencedWrite, isTokenCurrent } from '../../src/shared/coordination/fencing.ts';
import { inspectCoordination } from '../../src/shared/coordination/inspect.ts';
import type { LostHoldError } from '../../src/shared/coordination/hold.ts';
import { withTransaction } from '../../src/shared/db.ts';
import { until } from '../support/waitFor.ts';

/** `ctx` with `onCall` called after each script call of its Redis connection (a waiter's attempts). */
function counting(ctx: CoordinationContext, onCall: () => void): CoordinationContext {
  const redis = new Proxy(ctx.redis, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === 'evalsha' || prop === 'eval') {
        return (...args: unknown[]) => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args).finally(onCall);
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ...ctx, redis };
}

const CONTENDER = fileURLToPath(new URL('../support/coordinationContender.ts', import.meta.url));
const RETRY_MS = 5;

interface Event { event: string; pid: number; at: number; token?: number; epoch?: number; reason?: string; ok?: boolean }

class Contender {
  readonly events: Event[] = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  private stderr = '';

  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try { this.events.push(JSON.parse(line) as Event); } catch { return; }
      for (const w of this.waiters.splice(0)) w();
    });
    proc.stderr!.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => { for (const w of this.waiters.splice(0)) w(); resolve(code); }));
  }

  /** The first event named `name` (after `since` events), waiting up to timeoutMs. */
  next(name: string, timeoutMs: number, since = 0): Promise<Event> {
    return this.nextWhere(`'${name}'`, (x) => x.event === name, timeoutMs, since);
  }

  /** The first event that `match` accepts (after `since` events), waiting up to timeoutMs. */
  async nextWhere(name: string, match: (e: Event) => boolean, timeoutMs: number, since = 0): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.slice(since).find(match);
      if (e) return e;
      if (this.proc.exitCode !== null) throw new Error(`contender exited (${this.proc.exitCode}) before ${name}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${name} within ${timeoutMs} ms: ${this.stderr}`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(Math.max(1, deadline - Date.now()))]);
    }
  }
}

describe('redis coordination', function () {
  this.timeout(30_000);
  let t: TestEnv;
  let redis: Redis;
  let ctx: CoordinationContext;
  const children: Contender[] = [];
  const key = (...parts: string[]) => prefixedKey(t.prefix, ...parts);

  function contender(...args: Array<string | number>): Contender {
    const proc = spawn(process.execPath, ['--import', 'tsx', CONTENDER, ...args.map(String)], {
      env: { ...t.env, COORDINATION_RETRY_MS: String(RETRY_MS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const c = new Contender(proc);
    children.push(c);
    return c;
  }

  async function startTogether(cs: Contender[]): Promise<void> {
    await Promise.all(cs.map((c) => c.next('ready', 15_000)));
    await redis.set(key('test', 'go'), '1');
  }

  beforeEach(async () => {
    t = await createTestEnv('coord');
    redis = createRedis({}, t.cfg.redisUrl);
    ctx = coordinationContext({ ...t.cfg, coordinationRetryMs: RETRY_MS }, redis, 'test-runner');
  });

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    redis.disconnect();
    await t.cleanup();
  });

  interface Interval { token: number; inAt: number; outAt: number; pid: number }
  async function intervals(): Promise<Interval[]> {
    return (await redis.lrange(key('test', 'intervals'), 0, -1)).map((x) => JSON.parse(x) as Interval).sort((a, b) => a.inAt - b.inAt);
  }
  /** Most intervals open at once, by the global enter/exit sequence. */
  function maxOverlap(xs: Interval[]): number {
    const marks = xs.flatMap((x) => [[x.inAt, 1], [x.outAt, -1]]).sort((a, b) => a[0] - b[0]);
    let open = 0;
    let most = 0;
    for (const [, d] of marks) most = Math.max(most, (open += d));
    return most;
  }

  it('mutex: 4 processes never overlap, a non-atomic counter stays exact, tokens rise with each acquisition', async () => {
    const procs = 4;
    const rounds = 25;
    const cs = Array.from({ length: procs }, () => contender('mutex', 'm', rounds, 2000, 2));
    await startTogether(cs);
    const t0 = Date.now();
    expect(await Promise.all(cs.map((c) => c.exited))).to.deep.equal(Array(procs).fill(0));
    const xs = await intervals();
    expect(xs).to.have.length(procs * rounds);
    expect(new Set(xs.map((x) => x.pid)).size).to.equal(procs);
    expect(maxOverlap(xs)).to.equal(1);
    for (let i = 1; i < xs.length; i++) {
      expect(xs[i].inAt, 'the next holder enters after the previous one left').to.be.greaterThan(xs[i - 1].outAt);
      expect(xs[i].token, 'fencing tokens rise in acquisition order').to.be.greaterThan(xs[i - 1].token);
    }
    expect(Number(await redis.get(key('test', 'counter')))).to.equal(procs * rounds);
    expect(await isLockHeld(ctx, 'm')).to.equal(false);
    console.log(`      ${procs * rounds} critical sections over ${procs} processes in ${Date.now() - t0} ms`);
  });

  it('semaphore: 5 processes with limit 2 never have more than 2 inside, and do reach 2', async () => {
    const procs = 5;
    const rounds = 12;
    const limit = 2;
    const cs = Array.from({ length: procs }, () => contender('semaphore', 's', limit, rounds, 2000, 10));
    await startTogether(cs);
    expect(await Promise.all(cs.map((c) => c.exited))).to.deep.equal(Array(procs).fill(0));
    const seen = (await redis.lrange(key('test', 'inside-seen'), 0, -1)).map(Number);
    expect(seen).to.have.length(procs * rounds);
    expect(Math.max(...seen)).to.equal(limit);
    const xs = await intervals();
    expect(maxOverlap(xs)).to.equal(limit);
    expect(new Set(xs.map((x) => x.token)).size, 'one token per permit').to.equal(procs * rounds);
    const state = await semaphoreState(ctx, 's');
    expect(state.holders).to.deep.equal([]);
    expect(state.waiting).to.equal(0);
  });

  it('a SIGKILLed lock holder loses the lock when its TTL runs out, not before; the next holder gets a larger token that fences the old one', async () => {
    const ttlMs = 1500;
    const holder = contender('hold-lock', 'g', ttlMs);
    const first = await holder.next('acquired', 15_000);
    await sleep(ttlMs); // refreshed at least twice: auto-refresh keeps it past one TTL
    expect(await isTokenCurrent(ctx, { kind: 'lock', name: 'g' }, first.token!)).to.equal(true);

    const successor = contender('acquire-lock', 'g', ttlMs, 10_000);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    const left = await redis.pttl(key('coord', 'lock', 'g'));
    expect(left, 'still held right after the kill').to.be.greaterThan(0).and.at.most(ttlMs);

    let lostAt = 0;
    while (await isTokenCurrent(ctx, { kind: 'lock', name: 'g' }, first.token!)) {
      await sleep(5);
      expect(Date.now() - killedAt).to.be.lessThan(ttlMs + 500);
    }
    lostAt = Date.now();
    const heldFor = lostAt - killedAt;
    expect(heldFor, 'lost when the TTL ran out, not before').to.be.at.least(left - 20).and.at.most(left + 300);

    const second = await successor.next('acquired', 15_000);
    expect(second.token).to.be.greaterThan(first.token!);
    expect(second.at).to.be.at.least(killedAt + left - 20);
    expect(await successor.exited).to.equal(0);

    // The storage side: once the successor has written, the lapsed holder's write is refused.
    const ref = { kind: 'lock' as const, name: 'g' };
    expect(await withTransaction(t.pool, (c) => admitFencedWrite(c, ref, second.token!))).to.equal(true);
    expect(await withTransaction(t.pool, (c) => admitFencedWrite(c, ref, second.token!)), 'a retry of the same holder').to.equal(true);
    expect(await withTransaction(t.pool, (c) => admitFencedWrite(c, ref, first.token!))).to.equal(false);
    console.log(`      killed holder's lock expired ${heldFor} ms after SIGKILL (PTTL then ${left} ms, TTL ${ttlMs} ms)`);
  });

  it('a SIGKILLed permit holder\'s permit expires at its TTL and a waiter gets it', async () => {
    const ttlMs = 1200;
    const holder = contender('hold-permit', 'd', 1, ttlMs);
    const first = await holder.next('acquired', 15_000);
    const waiter = contender('acquire-permit', 'd', 1, ttlMs, 10_000);
    await waiter.next('ready', 15_000);
    await until('the waiter queued for the permit', async () => (await semaphoreState(ctx, 'd')).waiting === 1, { everyMs: 5 });
    await sleep(ttlMs); // past the permit's first TTL: refreshed, so still the holder's
    expect((await semaphoreState(ctx, 'd')).holders.map((h) => h.token)).to.deep.equal([first.token]);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    const second = await waiter.next('acquired', 10_000);
    expect(second.token).to.be.greaterThan(first.token!);
    expect(second.at - killedAt).to.be.at.most(ttlMs + 300);
    expect(await waiter.exited).to.equal(0);
  });

  it('leader lease: two contenders yield one leader; after SIGKILL the other takes over with a larger epoch', async () => {
    const ttlMs = 1500;
    const [a, b] = [contender('leader', 'sched', ttlMs), contender('leader', 'sched', ttlMs)];
    await Promise.all([a.next('ready', 15_000), b.next('ready', 15_000)]);
    const first = await Promise.any([a.next('elected', 15_000), b.next('elected', 15_000)]);
    const [leader, follower] = first.pid === a.proc.pid ? [a, b] : [b, a];
    // well past one TTL the leader has renewed and the follower, trying again, still fails
    await follower.nextWhere('a try well past one TTL', (e) => e.event === 'tried' && e.at > first.at + ttlMs * 1.5, 15_000);
    expect(leader.events.filter((e) => e.event === 'elected')).to.have.length(1);
    expect(leader.events.filter((e) => e.event === 'demoted')).to.have.length(0);
    expect(follower.events.filter((e) => e.event === 'elected')).to.have.length(0);
    const seen = await new LeaderLease(ctx, 'sched', { ttlMs }).leader();
    expect(seen?.owner.endsWith(`:${leader.proc.pid}`)).to.equal(true);
    expect(seen?.token).to.equal(first.epoch);

    const left = await redis.pttl(key('coord', 'leader', 'sched'));
    leader.proc.kill('SIGKILL');
    await leader.exited;
    const killedAt = Date.now();
    const next = await follower.next('elected', 10_000);
    expect(next.epoch).to.be.greaterThan(first.epoch!);
    const gap = next.at - killedAt;
    expect(gap, 'not before the lease ran out').to.be.at.least(left - 50);
    expect(gap, 'within a TTL and one retry').to.be.at.most(ttlMs + ttlMs / 3 + 300);
    console.log(`      failover ${gap} ms after SIGKILL (lease TTL ${ttlMs} ms)`);
  });

  it('in process: waiting, auto-refresh past the TTL, release only by the holder, resume by token, inspection', async () => {
    const ttlMs = 300;
    const lost: LostHoldError[] = [];
    const a = await acquireLock(ctx, 'x', { ttlMs, onLost: (e) => lost.push(e) });
    expect(a).to.not.equal(null);
    expect(await acquireLock(ctx, 'x', { ttlMs })).to.equal(null);
    expect(await acquireLock(ctx, 'x', { ttlMs, waitMs: ttlMs * 2 }), 'still refreshed after two TTLs').to.equal(null);
    expect(a!.held()).to.equal(true);
    expect(await releaseLock(ctx, 'x', a!.token + 1), 'another token cannot release').to.equal(false);
    expect(await isLockHeld(ctx, 'x', a!.token)).to.equal(true);

    const snap = await inspectCoordination(ctx);
    expect(snap.locks.map((l) => [l.name, l.token, l.owner])).to.deep.equal([['x', a!.token, 'test-runner']]);

    // A waiter gets the lock as soon as it is released (released once the waiter has tried).
    let tries = 0;
    const waiting = acquireLock(counting(ctx, () => tries++), 'x', { ttlMs, waitMs: 5000 });
    await until('the waiter to try', () => tries > 0, { everyMs: 5 });
    expect(await a!.release()).to.equal(true);
    const b = await waiting;
    expect(b!.token).to.equal(a!.token + 1);
    expect(lost).to.deep.equal([]);
    expect(a!.signal.aborted).to.equal(true);

    // Handed over by token (a producer acquires, a job keeps it alive and releases it).
    const resumed = await resumeLock(ctx, 'x', b!.token, { ttlMs });
    expect(resumed?.token).to.equal(b!.token);
    expect(await resumeLock(ctx, 'x', a!.token, { ttlMs })).to.equal(null);
    expect(await resumed!.release()).to.equal(true);
    expect(await b!.release(), 'already released by the other handle').to.equal(false);
    expect(b!.signal.aborted).to.equal(true);

    // Without auto-refresh the hold lapses at its TTL and says so.
    const c = await acquireLock(ctx, 'x', { ttlMs, autoRefresh: false, onLost: (e) => lost.push(e) });
    // the holder gives up locally a little before Redis expires the key: wait for both
    await until('the hold to lapse here and in Redis', async () => !c!.held() && (await lockHolder(ctx, 'x')) === null, { everyMs: 5 });
    expect(c!.held()).to.equal(false);
    expect(lost.map((e) => e.token)).to.deep.equal([c!.token]);
    expect(await lockHolder(ctx, 'x')).to.equal(null);
    expect(await c!.release()).to.equal(false);
  });

  it('in process: a holder that cannot reach Redis gives the lock up for lost at its TTL, and another process can take it', async () => {
    const ttlMs = 300;
    const cut = createRedis({}, t.cfg.redisUrl);
    const lost: LostHoldError[] = [];
    const a = await acquireLock({ ...ctx, redis: cut }, 'y', { ttlMs, onLost: (e) => lost.push(e) });
    const t0 = Date.now();
    cut.disconnect(); // refreshes now fail
    while (a!.held()) await sleep(5);
    const lostAfter = Date.now() - t0;
    expect(lostAfter, 'given up by its TTL (counted from before the claim), give or take a poll').to.be.at.most(ttlMs + 50);
    expect(lost).to.have.length(1);
    expect(lost[0].message).to.match(/not refreshed within its TTL/);
    expect(a!.signal.reason).to.equal(lost[0]);
    const b = await acquireLock(ctx, 'y', { ttlMs, waitMs: 2000 });
    expect(b!.token).to.equal(a!.token + 1);
    await b!.release();
  });

  it('in process: semaphore waiters are served in arrival order, and inspection lists holders', async () => {
    const ttlMs = 2000;
    // A waiter that misses polls for WAITER_MISSED_POLLS × retry loses its place: poll at 50 ms so
    // that a busy test process (all three waiters live in it) cannot lose the arrival order.
    const waiters = { ...ctx, retryMs: 50 };
    const holder = await acquirePermit(ctx, 'q', { limit: 1, ttlMs });
    const order: string[] = [];
    const wait = (who: string) => acquirePermit(waiters, 'q', { limit: 1, ttlMs, waitMs: 10_000 }).then(async (p) => {
      order.push(who);
      await sleep(20);
      await p!.release();
    });
    const done: Promise<void>[] = [];
    // each joins the queue before the next arrives
    for (const [i, who] of ['first', 'second', 'third'].entries()) {
      done.push(wait(who));
      await until(`${who} queued`, async () => (await semaphoreState(ctx, 'q')).waiting === i + 1, { everyMs: 5 });
    }
    const snap = await inspectCoordination(ctx);
    expect(snap.semaphores).to.have.length(1);
    expect(snap.semaphores[0]).to.include({ name: 'q', limit: 1, waiting: 3 });
    expect(snap.semaphores[0].holders.map((h) => [h.token, h.owner])).to.deep.equal([[holder!.token, 'test-runner']]);
    await holder!.release();
    await Promise.all(done);
    expect(order).to.deep.equal(['first', 'second', 'third']);
    const after = await inspectCoordination(ctx);
    expect(after.semaphores[0]).to.include({ waiting: 0, lastToken: holder!.token + 3 });
    expect(after.semaphores[0].holders).to.deep.equal([]);
    expect(await redis.keys(`${t.prefix}:coord:semaphore:q:*`), 'no keys left behind but the limit').to.deep.equal([key('coord', 'semaphore', 'q', 'limit')]);
  });

  it('in process: a leader that steps down hands over at once; isLeader follows the lease', async () => {
    const ttlMs = 1000;
    const a = new LeaderLease(ctx, 'p', { ttlMs });
    const b = new LeaderLease(ctx, 'p', { ttlMs });
    expect(await a.tryAcquire()).to.equal(true);
    expect(await b.tryAcquire()).to.equal(false);
    expect(a.isLeader()).to.equal(true);
    expect(b.isLeader()).to.equal(false);
    expect(await a.tryAcquire(), 'the leader renews').to.equal(true);
    const epoch = a.epoch!;
    await a.release();
    expect(a.isLeader()).to.equal(false);
    expect(await b.tryAcquire()).to.equal(true);
    expect(b.epoch).to.equal(epoch + 1);
    expect(await a.renew()).to.equal(false);
    const snap = await inspectCoordination(ctx);
    expect(snap.leaders.map((l) => [l.name, l.token])).to.deep.equal([['p', epoch + 1]]);
    await b.stop();
    expect((await inspectCoordination(ctx)).leaders).to.deep.equal([]);
  });
});
