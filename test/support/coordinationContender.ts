// A competing process for test/integration/coordination.test.ts. It uses QUEUE_PREFIX and
// REDIS_URL from its environment, prints JSON lines on stdout, and exits on its own after
// MAX_LIFE_MS so that a failed test leaves no orphan behind.
//   mutex <name> <rounds> <ttlMs> <holdMs>          loop: lock, read-sleep-write a counter, unlock
//   semaphore <name> <limit> <rounds> <ttlMs> <holdMs>  loop: permit, count who is inside, release
//   hold-lock <name> <ttlMs>                         take the lock and keep it (until killed)
//   hold-permit <name> <limit> <ttlMs>               take a permit and keep it (until killed)
//   acquire-lock <name> <ttlMs> <waitMs>             wait for the lock, report, release, exit
//   acquire-permit <name> <limit> <ttlMs> <waitMs>   wait for a permit, report, release, exit
//   leader <name> <ttlMs>                            campaign for the lease, report changes and each attempt
// Loops wait for the key <prefix>:test:go so that all contenders start together.
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../../src/shared/config.ts';
import { createRedis, redisKey } from '../../src/shared/redis.ts';
import { coordinationContext } from '../../src/shared/coordination/context.ts';
import { acquireLock } from '../../src/shared/coordination/mutex.ts';
import { acquirePermit } from '../../src/shared/coordination/semaphore.ts';
import { LeaderLease } from '../../src/shared/coordination/leaderLease.ts';

const MAX_LIFE_MS = 60_000;
setTimeout(() => process.exit(3), MAX_LIFE_MS);

const say = (event: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ event, pid: process.pid, at: Date.now(), ...fields })}\n`);

const cfg = config();
const redis = createRedis({}, cfg.redisUrl);
const ctx = coordinationContext(cfg, redis);
const [mode, name, ...rest] = process.argv.slice(2);
const n = rest.map(Number);
const LONG_WAIT_MS = 30_000;

async function waitForGo(): Promise<void> {
  say('ready');
  while (!(await redis.exists(redisKey('test', 'go')))) await sleep(5);
}

/** Critical section bookkeeping: a global sequence orders every enter and exit. */
async function enter(): Promise<number> {
  return redis.incr(redisKey('test', 'seq'));
}

switch (mode) {
  case 'mutex': {
    const [rounds, ttlMs, holdMs] = n;
    await waitForGo();
    for (let i = 0; i < rounds; i++) {
      const lock = await acquireLock(ctx, name, { ttlMs, waitMs: LONG_WAIT_MS });
      if (!lock) throw new Error('lock wait timed out');
      const inAt = await enter();
      // Deliberately non-atomic read-modify-write: only mutual exclusion keeps it exact.
      const before = Number((await redis.get(redisKey('test', 'counter'))) ?? 0);
      await sleep(holdMs);
      await redis.set(redisKey('test', 'counter'), before + 1);
      const outAt = await enter();
      await redis.rpush(redisKey('test', 'intervals'), JSON.stringify({ token: lock.token, inAt, outAt, pid: process.pid }));
      if (!(await lock.release())) throw new Error('release found the lock gone');
    }
    say('done');
    break;
  }
  case 'semaphore': {
    const [limit, rounds, ttlMs, holdMs] = n;
    await waitForGo();
    for (let i = 0; i < rounds; i++) {
      const permit = await acquirePermit(ctx, name, { limit, ttlMs, waitMs: LONG_WAIT_MS });
      if (!permit) throw new Error('permit wait timed out');
      const inAt = await enter();
      const inside = await redis.incr(redisKey('test', 'inside'));
      await redis.rpush(redisKey('test', 'inside-seen'), inside);
      await sleep(holdMs);
      await redis.decr(redisKey('test', 'inside'));
      const outAt = await enter();
      await redis.rpush(redisKey('test', 'intervals'), JSON.stringify({ token: permit.token, inAt, outAt, pid: process.pid }));
      await permit.release();
    }
    say('done');
    break;
  }
  case 'hold-lock':
  case 'hold-permit': {
    const hold = mode === 'hold-lock'
      ? await acquireLock(ctx, name, { ttlMs: n[0], waitMs: LONG_WAIT_MS })
      : await acquirePermit(ctx, name, { limit: n[0], ttlMs: n[1], waitMs: LONG_WAIT_MS });
    if (!hold) throw new Error('could not acquire');
    say('acquired', { token: hold.token });
    await new Promise(() => undefined); // hold until killed
    break;
  }
  case 'acquire-lock':
  case 'acquire-permit': {
    say('ready');
    const hold = mode === 'acquire-lock'
      ? await acquireLock(ctx, name, { ttlMs: n[0], waitMs: n[1] })
      : await acquirePermit(ctx, name, { limit: n[0], ttlMs: n[1], waitMs: n[2] });
    say(hold ? 'acquired' : 'timeout', { token: hold?.token });
    await hold?.release();
    break;
  }
  case 'leader': {
    // 'tried' after each attempt of a candidate: proof that a follower had its chance
    class ReportingLease extends LeaderLease {
      override async tryAcquire(): Promise<boolean> {
        const ok = await super.tryAcquire();
        say('tried', { ok });
        return ok;
      }
    }
    const lease = new ReportingLease(ctx, name, {
      ttlMs: n[0],
      onElected: (epoch) => say('elected', { epoch }),
      onDemoted: (err) => say('demoted', { reason: err.message }),
    });
    say('ready');
    lease.campaign();
    await new Promise(() => undefined); // campaign until killed
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
redis.disconnect();
process.exit(0);
