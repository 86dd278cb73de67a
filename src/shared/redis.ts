import { Redis, type RedisOptions } from 'ioredis';
import { config } from './config.ts';

/**
 * A new ioredis connection. BullMQ workers need `maxRetriesPerRequest: null` so that a
 * blocking command survives a reconnect instead of failing the worker.
 */
export function createRedis(opts: RedisOptions = {}, url = config().redisUrl): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
}

/** Redis key under the configured prefix, shared by locks, semaphores and caches. */
export function redisKey(...parts: string[]): string {
  return prefixedKey(config().queuePrefix, ...parts);
}

/** Redis key under an explicit prefix (code that takes a Config passes cfg.queuePrefix). */
export function prefixedKey(prefix: string, ...parts: string[]): string {
  return [prefix, ...parts].join(':');
}
