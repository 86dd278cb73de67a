// A Lua script sent once per Redis server: EVALSHA, and EVAL when the server does not know it
// yet (after a restart or SCRIPT FLUSH). Scripts make check-and-set steps atomic.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis.ts';

export interface LuaScript {
  run(redis: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown>;
}

export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}

/**
 * Lua prelude: `now` in milliseconds from the Redis server's clock. Expiries are judged by one
 * clock (the server's), never by the clocks of the competing hosts.
 */
export const LUA_NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;
