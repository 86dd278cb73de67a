// Group circuit breakers in Redis, shared by every producer and worker: one hash per group
// (`<prefix>:breaker:<groupId>`). A failure is a compare-and-set on a version field, so the
// transition itself stays the pure function in circuitBreaker.ts while concurrent reporters of
// the same group cannot lose each other's failures.
import { scanKeys, type RedisClient } from './redis.ts';
import type { Config } from './config.ts';
import { metrics } from './metrics.ts';
import {
  afterFailure, breakerSettings, breakerStatus, CLOSED, reopensAt, type BreakerState, type BreakerStatus,
} from './circuitBreaker.ts';

export interface GroupBreaker extends BreakerState {
  groupId: string;
  status: BreakerStatus;
  /** epoch ms when an open breaker lets a trial cycle through; null unless open */
  reopensAt: number | null;
}

const SEGMENT = 'breaker';
// keys per SCAN round trip (a hint to Redis, not a limit)
const SCAN_BATCH = 500;

export function breakerKey(cfg: Config, groupId: string): string {
  return `${cfg.queuePrefix}:${SEGMENT}:${groupId}`;
}

// Writes the new state only if nobody wrote since we read it (version unchanged).
const COMPARE_AND_SET = `
local v = redis.call('HGET', KEYS[1], 'version') or '0'
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', tostring(tonumber(v) + 1), 'failures', ARGV[2], 'openedAt', ARGV[3])
return 1`;

interface Stored { state: BreakerState; version: string }

function decode(h: Record<string, string>): Stored {
  if (!h.version) return { state: CLOSED, version: '0' };
  return {
    state: { consecutiveFailures: Number(h.failures ?? 0), openedAt: h.openedAt ? Number(h.openedAt) : null },
    version: h.version,
  };
}

function describe(cfg: Config, groupId: string, state: BreakerState, now: number): GroupBreaker {
  const settings = breakerSettings(cfg);
  return { groupId, ...state, status: breakerStatus(state, now, settings), reopensAt: reopensAt(state, now, settings) };
}

export async function readBreaker(redis: RedisClient, cfg: Config, groupId: string, now = Date.now()): Promise<GroupBreaker> {
  return describe(cfg, groupId, decode(await redis.hgetall(breakerKey(cfg, groupId))).state, now);
}

/** True when the scheduler may start a cycle of the group now. */
export async function allowsGroupRun(redis: RedisClient, cfg: Config, groupId: string, now = Date.now()): Promise<boolean> {
  return (await readBreaker(redis, cfg, groupId, now)).status !== 'open';
}

/** Counts a failed cycle; returns the breaker as it is afterwards (status 'open' when it tripped). */
export async function recordGroupFailure(redis: RedisClient, cfg: Config, groupId: string, now = Date.now()): Promise<GroupBreaker> {
  const key = breakerKey(cfg, groupId);
  const settings = breakerSettings(cfg);
  // Each lost race means another reporter's write landed, so the loop always makes progress.
  for (;;) {
    const { state, version } = decode(await redis.hgetall(key));
    const next = afterFailure(state, now, settings);
    const written = await redis.eval(COMPARE_AND_SET, 1, key, version, String(next.consecutiveFailures), next.openedAt === null ? '' : String(next.openedAt));
    if (written !== 1) continue;
    if (next.openedAt !== state.openedAt) metrics.circuitBreakerTrips.inc({ groupId });
    return describe(cfg, groupId, next, now);
  }
}

/** A successful cycle closes the breaker whatever its state. */
export async function recordGroupSuccess(redis: RedisClient, cfg: Config, groupId: string): Promise<void> {
  await redis.del(breakerKey(cfg, groupId));
}

/** Every group whose breaker is not plainly closed (at least one recent failure), for the ops page. */
export async function listBreakers(redis: RedisClient, cfg: Config, now = Date.now()): Promise<GroupBreaker[]> {
  const prefix = `${cfg.queuePrefix}:${SEGMENT}:`;
  const out: GroupBreaker[] = [];
  for await (const keys of scanKeys(redis, `${prefix}*`, SCAN_BATCH)) {
    for (const key of keys) {
      const { state } = decode(await redis.hgetall(key));
      if (state.consecutiveFailures > 0) out.push(describe(cfg, key.slice(prefix.length), state, now));
    }
  }
  return out.sort((a, b) => a.groupId.localeCompare(b.groupId));
}
