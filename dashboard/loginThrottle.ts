// Password guessing on the dashboard is slowed down per user name and per client address: after
// DASHBOARD_LOGIN_MAX_FAILURES failed logins in a row for a name (or ..._PER_ADDRESS from an
// address), each further failure locks that name (or address) out for twice as long as the one
// before, from one second up to DASHBOARD_LOGIN_LOCKOUT_SECONDS. The counts live in Redis, so
// that they hold across dashboard replicas; a user's count is forgotten on a successful login,
// and any count once it has been quiet for the longest lockout.
import { createHash } from 'node:crypto';
import type { Config } from '../src/shared/config.ts';
import { luaScript } from '../src/shared/coordination/luaScript.ts';
import { prefixedKey, type RedisClient } from '../src/shared/redis.ts';

const FIRST_LOCKOUT_MS = 1000;

// KEYS[1] the failure count, KEYS[2] the lock; ARGV threshold, first lockout, longest lockout (ms).
// Returns the failures so far and the lockout this failure set (0: none yet).
const RECORD_FAILURE = luaScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local over = n - tonumber(ARGV[1])
if over < 0 then return {n, 0} end
local ms = math.min(tonumber(ARGV[2]) * 2 ^ math.min(over, 40), tonumber(ARGV[3]))
redis.call('SET', KEYS[2], '1', 'PX', math.floor(ms))
return {n, math.floor(ms)}`);

export interface FailureRecord {
  /** failed logins in a row for the user name */
  userFailures: number;
  /** failed logins in a row from the address */
  addressFailures: number;
  /** how long the next attempt must wait (0: it need not) */
  lockedForMs: number;
}

export interface LoginThrottle {
  /** How long a login of `name` from `address` must wait; 0 when it may go ahead. */
  waitMs(name: string, address: string): Promise<number>;
  recordFailure(name: string, address: string): Promise<FailureRecord>;
  recordSuccess(name: string): Promise<void>;
}

// A name is whatever a client typed: keys use a digest of it, so that their length and bytes are ours.
const keyPart = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 22);

export function loginThrottle(cfg: Config, redis: RedisClient): LoginThrottle {
  const key = (kind: 'user' | 'address', what: string, part: 'failures' | 'lock') =>
    prefixedKey(cfg.queuePrefix, 'dashboard', 'login', kind, keyPart(what), part);
  const longestMs = cfg.dashboardLoginLockoutSec * 1000;
  const record = async (kind: 'user' | 'address', what: string, threshold: number): Promise<[number, number]> =>
    (await RECORD_FAILURE.run(redis, [key(kind, what, 'failures'), key(kind, what, 'lock')], [threshold, FIRST_LOCKOUT_MS, longestMs])) as [number, number];
  return {
    async waitMs(name, address) {
      const [user, addr] = await Promise.all([redis.pttl(key('user', name, 'lock')), redis.pttl(key('address', address, 'lock'))]);
      return Math.max(user, addr, 0);
    },
    async recordFailure(name, address) {
      const [[userFailures, userLock], [addressFailures, addressLock]] = await Promise.all([
        record('user', name, cfg.dashboardLoginMaxFailures), record('address', address, cfg.dashboardLoginMaxFailuresPerAddress),
      ]);
      return { userFailures, addressFailures, lockedForMs: Math.max(userLock, addressLock) };
    },
    async recordSuccess(name) {
      await redis.del(key('user', name, 'failures'));
    },
  };
}
