// Counting semaphore over Redis (at most N domains processed at once). Each permit has its own
// TTL (a sorted set scored by expiry on the Redis clock), so a crashed holder's permit expires
// while the others stay; each permit carries a fencing token. Waiters queue by ticket and a permit
// goes to the oldest live waiters first, so a busy process cannot starve a slow one ("fair-ish":
// a waiter that stops polling loses its place).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CoordinationContext } from './context.ts';
import { startHold, type Hold, type HoldOptions } from './hold.ts';
import { fenceField, fenceKey, semaphoreKeys, type ResourceRef, type SemaphoreKeys } from './keys.ts';
import { LUA_NOW_MS, luaScript } from './luaScript.ts';
import { pollUntil } from './pollUntil.ts';

/** A waiter that missed this many polls is taken for gone and loses its place in the queue. */
const WAITER_MISSED_POLLS = 5;

// Permits past their expiry are removed before anything else is decided.
const PRUNE = `
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for i = 1, #lapsed do redis.call('HDEL', KEYS[2], lapsed[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`;

// The permit keys live as long as their longest-lived permit.
const EXPIRE_PERMIT_KEYS = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
else
  local keep = math.max(1, math.ceil(tonumber(last[2]) - now))
  redis.call('PEXPIRE', KEYS[1], keep)
  redis.call('PEXPIRE', KEYS[2], keep)
  redis.call('PEXPIRE', KEYS[3], keep)
end
`;

// KEYS: permits owners limit queue seen tickets fence
// ARGV: limit ttl owner waiter fenceField waiterTtl
const ACQUIRE = luaScript(`${LUA_NOW_MS}${PRUNE}
local limit, ttl, waiter = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[4]
local gone = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now)
for i = 1, #gone do redis.call('ZREM', KEYS[4], gone[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
if not redis.call('ZSCORE', KEYS[4], waiter) then
  redis.call('ZADD', KEYS[4], redis.call('INCR', KEYS[6]), waiter)
end
local free = limit - redis.call('ZCARD', KEYS[1])
local token = 0
if free > 0 and redis.call('ZRANK', KEYS[4], waiter) < free then
  redis.call('ZREM', KEYS[4], waiter)
  redis.call('ZREM', KEYS[5], waiter)
  token = redis.call('HINCRBY', KEYS[7], ARGV[5], 1)
  redis.call('ZADD', KEYS[1], now + ttl, token)
  redis.call('HSET', KEYS[2], token, cjson.encode({ owner = ARGV[3], since = now, ttl = ttl }))
  redis.call('SET', KEYS[3], limit)
  ${EXPIRE_PERMIT_KEYS}
else
  redis.call('ZADD', KEYS[5], now + tonumber(ARGV[6]), waiter)
end
if redis.call('ZCARD', KEYS[4]) == 0 then
  redis.call('DEL', KEYS[4], KEYS[5], KEYS[6])
else
  local keep = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
  local ms = math.max(1, math.ceil(tonumber(keep[2]) - now))
  redis.call('PEXPIRE', KEYS[4], ms)
  redis.call('PEXPIRE', KEYS[5], ms)
  redis.call('PEXPIRE', KEYS[6], ms)
end
return token`);

// KEYS: queue seen. ARGV: waiter
const LEAVE_QUEUE = luaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`);

// KEYS: permits owners limit. ARGV: token ttl
const REFRESH = luaScript(`${LUA_NOW_MS}
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry or tonumber(expiry) <= now then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
${EXPIRE_PERMIT_KEYS}
return 1`);

// KEYS: permits owners limit. ARGV: token
const RELEASE = luaScript(`${LUA_NOW_MS}
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
${EXPIRE_PERMIT_KEYS}
if expiry and tonumber(expiry) > now then return 1 end
return 0`);

// KEYS: permits. ARGV: token
const CURRENT = luaScript(`${LUA_NOW_MS}
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expiry and tonumber(expiry) > now then return 1 end
return 0`);

// KEYS: permits owners limit queue. Returns {limit, waiting, token, expiresIn, ownerJson, ...}
const LIST = luaScript(`${LUA_NOW_MS}
local out = { redis.call('GET', KEYS[3]) or '', redis.call('ZCARD', KEYS[4]) }
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
for i = 1, #live, 2 do
  table.insert(out, live[i])
  table.insert(out, tonumber(live[i + 1]) - now)
  table.insert(out, redis.call('HGET', KEYS[2], live[i]) or '{}')
end
return out`);

export interface PermitOptions extends HoldOptions {
  /** most permits held at once (the same for every caller of this semaphore) */
  limit: number;
  /** how long to wait for a permit (default 0: one attempt) */
  waitMs?: number;
  /** stops waiting (shutdown) */
  signal?: AbortSignal;
}

export type HeldPermit = Hold;

function semaphoreRef(name: string): ResourceRef {
  return { kind: 'semaphore', name };
}

function permitOps(ctx: CoordinationContext, name: string, k: SemaphoreKeys) {
  const permitKeys = [k.permits, k.owners, k.limit];
  return {
    refresh: async (token: number, ttlMs: number) => Number(await REFRESH.run(ctx.redis, permitKeys, [token, Math.ceil(ttlMs)])) === 1,
    release: async (token: number) => Number(await RELEASE.run(ctx.redis, permitKeys, [token])) === 1,
    isCurrent: async (token: number) => Number(await CURRENT.run(ctx.redis, [k.permits], [token])) === 1,
  };
}

/** A held permit, or null if none came free within `waitMs`. */
export async function acquirePermit(ctx: CoordinationContext, name: string, opts: PermitOptions): Promise<HeldPermit | null> {
  if (!(Number.isInteger(opts.limit) && opts.limit > 0)) throw new RangeError(`semaphore '${name}': limit must be a positive integer, got ${opts.limit}`);
  const k = semaphoreKeys(ctx.prefix, name);
  const waiter = randomUUID();
  const waiterTtl = Math.ceil(ctx.retryMs * WAITER_MISSED_POLLS);
  let got: { token: number; sentAt: number } | null = null;
  try {
    got = await pollUntil(async () => {
      const sentAt = performance.now();
      const token = Number(await ACQUIRE.run(ctx.redis,
        [k.permits, k.owners, k.limit, k.queue, k.seen, k.tickets, fenceKey(ctx.prefix)],
        [opts.limit, Math.ceil(opts.ttlMs), ctx.owner, waiter, fenceField(semaphoreRef(name)), waiterTtl]));
      return token > 0 ? { token, sentAt } : null;
    }, { waitMs: opts.waitMs ?? 0, retryMs: ctx.retryMs, signal: opts.signal });
  } finally {
    // A waiter that gives up (or fails) leaves the queue now rather than after WAITER_MISSED_POLLS.
    if (!got) await LEAVE_QUEUE.run(ctx.redis, [k.queue, k.seen], [waiter]).catch(() => undefined);
  }
  return got && startHold(semaphoreRef(name), got.token, got.sentAt, permitOps(ctx, name, k), opts);
}

/** Takes over a permit acquired elsewhere (see resumeLock). Null if `token` no longer holds one. */
export async function resumePermit(ctx: CoordinationContext, name: string, token: number, opts: HoldOptions): Promise<HeldPermit | null> {
  const ops = permitOps(ctx, name, semaphoreKeys(ctx.prefix, name));
  const sentAt = performance.now();
  if (!(await ops.refresh(token, opts.ttlMs))) return null;
  return startHold(semaphoreRef(name), token, sentAt, ops, opts);
}

/** Returns the permit if `token` still holds it. */
export function releasePermit(ctx: CoordinationContext, name: string, token: number): Promise<boolean> {
  return permitOps(ctx, name, semaphoreKeys(ctx.prefix, name)).release(token);
}

export function isPermitCurrent(ctx: CoordinationContext, name: string, token: number): Promise<boolean> {
  return permitOps(ctx, name, semaphoreKeys(ctx.prefix, name)).isCurrent(token);
}

export interface PermitHolder {
  token: number;
  owner: string;
  /** Redis server time (ms since the epoch) of the acquisition */
  since: number;
  ttlMs: number;
  expiresInMs: number;
}

export interface SemaphoreState {
  /** the limit of the last acquisition (null if none is recorded) */
  limit: number | null;
  holders: PermitHolder[];
  /** processes queued for a permit */
  waiting: number;
}

/** The permits held now (expired ones excluded), oldest token first. */
export async function semaphoreState(ctx: CoordinationContext, name: string): Promise<SemaphoreState> {
  const k = semaphoreKeys(ctx.prefix, name);
  const raw = (await LIST.run(ctx.redis, [k.permits, k.owners, k.limit, k.queue], [])) as Array<string | number>;
  const holders: PermitHolder[] = [];
  for (let i = 2; i < raw.length; i += 3) {
    const meta = JSON.parse(String(raw[i + 2])) as { owner?: string; since?: number; ttl?: number };
    holders.push({
      token: Number(raw[i]), expiresInMs: Number(raw[i + 1]), owner: meta.owner ?? '', since: Number(meta.since ?? 0), ttlMs: Number(meta.ttl ?? 0),
    });
  }
  holders.sort((a, b) => a.token - b.token);
  return { limit: raw[0] === '' ? null : Number(raw[0]), holders, waiting: Number(raw[1]) };
}
