// What every coordination call needs: a Redis connection, the key prefix, the poll interval of
// waiters, and the label stored with each hold so that the ops page can say who holds what.
import { hostname } from 'node:os';
import type { RedisClient } from '../redis.ts';
import type { Config } from '../config.ts';

export interface CoordinationContext {
  redis: RedisClient;
  /** cfg.queuePrefix: coordination keys live beside the queues, under `<prefix>:coord:` */
  prefix: string;
  /** base poll interval of a waiting acquire (jittered ±50 %) */
  retryMs: number;
  /** who holds: stored with every lock, permit and lease (default host:pid) */
  owner: string;
}

export function coordinationContext(cfg: Config, redis: RedisClient, owner = `${hostname()}:${process.pid}`): CoordinationContext {
  return { redis, prefix: cfg.queuePrefix, retryMs: cfg.coordinationRetryMs, owner };
}
