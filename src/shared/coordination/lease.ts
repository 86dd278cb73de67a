// A single-holder lease in Redis, the base of the mutex and of the leader lease: a hash
// {token, owner, since, ttl} that expires with PEXPIRE. The token is an HINCRBY of the fencing
// counter in the same script as the claim, so a token is never issued to a claim that failed,
// and tokens rise in the order the claims succeeded.
import type { CoordinationContext } from './context.ts';
import { fenceField, fenceKey, leaseKey } from './keys.ts';
import { LUA_NOW_MS, luaScript } from './luaScript.ts';

export type LeaseKind = 'lock' | 'leader';

const CLAIM = luaScript(`${LUA_NOW_MS}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('HSET', KEYS[1], 'token', token, 'owner', ARGV[3], 'since', now, 'ttl', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token`);

const EXTEND = luaScript(`
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'ttl', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

const DROP = luaScript(`
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`);

/** The new fencing token, or null if someone holds the lease. */
export async function claimLease(ctx: CoordinationContext, kind: LeaseKind, name: string, ttlMs: number): Promise<number | null> {
  const token = Number(await CLAIM.run(ctx.redis, [leaseKey(ctx.prefix, kind, name), fenceKey(ctx.prefix)],
    [fenceField({ kind, name }), Math.ceil(ttlMs), ctx.owner]));
  return token > 0 ? token : null;
}

/** Resets the TTL if `token` still holds the lease. */
export async function extendLease(ctx: CoordinationContext, kind: LeaseKind, name: string, token: number, ttlMs: number): Promise<boolean> {
  return Number(await EXTEND.run(ctx.redis, [leaseKey(ctx.prefix, kind, name)], [String(token), Math.ceil(ttlMs)])) === 1;
}

/** Deletes the lease if `token` still holds it: a lapsed holder cannot release its successor's. */
export async function dropLease(ctx: CoordinationContext, kind: LeaseKind, name: string, token: number): Promise<boolean> {
  return Number(await DROP.run(ctx.redis, [leaseKey(ctx.prefix, kind, name)], [String(token)])) === 1;
}

export interface LeaseHolder {
  token: number;
  owner: string;
  /** Redis server time (ms since the epoch) of the claim */
  since: number;
  ttlMs: number;
  /** time left before the lease expires unless refreshed */
  expiresInMs: number;
}

export async function readLease(ctx: CoordinationContext, kind: LeaseKind, name: string): Promise<LeaseHolder | null> {
  const key = leaseKey(ctx.prefix, kind, name);
  const res = await ctx.redis.multi().hgetall(key).pttl(key).exec();
  if (!res) return null;
  return leaseHolder(res[0][1] as Record<string, string>, Number(res[1][1]));
}

/** Parses HGETALL + PTTL of a lease key (also used by the inspection). */
export function leaseHolder(h: Record<string, string>, pttl: number): LeaseHolder | null {
  if (!h || h.token === undefined || pttl < 0) return null;
  return { token: Number(h.token), owner: h.owner ?? '', since: Number(h.since), ttlMs: Number(h.ttl), expiresInMs: pttl };
}

export async function isLeaseCurrent(ctx: CoordinationContext, kind: LeaseKind, name: string, token: number): Promise<boolean> {
  return (await ctx.redis.hget(leaseKey(ctx.prefix, kind, name), 'token')) === String(token);
}
