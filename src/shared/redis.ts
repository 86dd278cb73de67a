// Every Redis connection of matchflow is made here, for the three topologies: one server
// (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES) and a master watched by Sentinels
// (REDIS_SENTINELS). BullMQ's own connections come here too (bullConnection), so that queues,
// workers and flow producers follow the same topology as locks, semaphores and the dashboard.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { createIORedisClient, RedisConnection, type ConnectionOptions } from 'bullmq';
import { config, type Config } from './config.ts';
import { logger } from './logger.ts';

/** A connection of any topology: the commands matchflow uses exist on both. */
export type RedisClient = Redis | Cluster;

/** The settings that say where Redis is. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisSentinels' | 'redisSentinelName'>;

export type RedisTopology = 'single' | 'cluster' | 'sentinel';

export function redisTopology(t: RedisTarget): RedisTopology {
  if (t.redisClusterNodes.length) return 'cluster';
  if (t.redisSentinels.length) return 'sentinel';
  return 'single';
}

function hostPort(node: string): { host: string; port: number } {
  const i = node.lastIndexOf(':');
  return { host: node.slice(0, i), port: Number(node.slice(i + 1)) };
}

/** Where the connections go, without credentials: for messages and logs. */
export function describeRedis(t: RedisTarget): string {
  switch (redisTopology(t)) {
    case 'cluster':
      return `Redis Cluster ${t.redisClusterNodes.join(',')} (REDIS_CLUSTER_NODES)`;
    case 'sentinel':
      return `master '${t.redisSentinelName}' of the Sentinels ${t.redisSentinels.join(',')} (REDIS_SENTINELS)`;
    default:
      try {
        const u = new URL(t.redisUrl);
        return `${u.hostname}:${u.port || 6379} (REDIS_URL)`;
      } catch {
        return '(unparsable REDIS_URL)';
      }
  }
}

/** Credentials, database and TLS of REDIS_URL, which the cluster and Sentinel modes reuse. */
function urlAuth(url: string, withDb: boolean): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return {};
  }
  const out: RedisOptions = {};
  if (u.username && u.username !== 'default') out.username = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') out.tls = {};
  const db = Number(u.pathname.slice(1));
  if (withDb && Number.isInteger(db) && db > 0) out.db = db;
  return out;
}

// After a failover the old master may come back as a replica while a connection still points at
// it; a write there answers READONLY. Reconnecting (and resending: nothing ran) finds the master.
const reconnectOnReadonly = (err: Error): 2 | false => (err.message.startsWith('READONLY') ? 2 : false);

/**
 * A new connection. BullMQ needs `maxRetriesPerRequest: null` on workers so that a blocking
 * command survives a reconnect instead of failing the worker; the other connections take it too,
 * so a command waits out a failover instead of failing part-way through a job.
 */
export function createRedis(t: RedisTarget, opts: RedisOptions = {}): RedisClient {
  return logConnectionErrors(connect(t, { maxRetriesPerRequest: null, enableReadyCheck: true, ...opts }));
}

function connect(t: RedisTarget, base: RedisOptions): RedisClient {
  switch (redisTopology(t)) {
    case 'cluster': {
      const { lazyConnect, retryStrategy, enableOfflineQueue, host: _h, port: _p, ...redisOptions } = base;
      const cluster: ClusterOptions = {
        ...(lazyConnect === undefined ? {} : { lazyConnect }),
        ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
        enableReadyCheck: true,
        // A promotion takes the cluster's node timeout and an election. A command refused with
        // CLUSTERDOWN or lost with its node's connection is retried every 300 ms, and each retry
        // counts against maxRedirections (16 by default): 40 keep it waiting about 12 s, not 1.6.
        retryDelayOnClusterDown: 300,
        retryDelayOnFailover: 300,
        maxRedirections: 40,
        redisOptions: { ...urlAuth(t.redisUrl, false), ...redisOptions },
      };
      if (retryStrategy !== undefined) cluster.clusterRetryStrategy = retryStrategy;
      return new Cluster(t.redisClusterNodes.map(hostPort), cluster);
    }
    case 'sentinel':
      return new Redis({
        ...urlAuth(t.redisUrl, true),
        sentinels: t.redisSentinels.map(hostPort),
        name: t.redisSentinelName,
        failoverDetector: true,
        reconnectOnError: reconnectOnReadonly,
        // asking the Sentinels where the master is has a retry strategy of its own: a caller's applies to it too
        ...(base.retryStrategy ? { sentinelRetryStrategy: base.retryStrategy } : {}),
        ...base,
      });
    default:
      return new Redis(t.redisUrl, base);
  }
}

/** Connection errors repeat while a server is away (a failover, a restart): one log line per error and 5 s. */
const REPEAT_LOG_MS = 5000;

/**
 * Without an 'error' listener ioredis prints every connection error to stderr as an unhandled
 * error event, and BullMQ prints the ones its queues re-emit: log them instead, as warnings,
 * each at most once per REPEAT_LOG_MS — unless the owner listens for them itself.
 */
export function logConnectionErrors<T extends { on(event: 'error', f: (err: Error) => void): unknown; listenerCount(event: string): number }>(
  client: T, what = 'redis connection'): T {
  const last = new Map<string, number>();
  client.on('error', (err: Error) => {
    if (client.listenerCount('error') > 1) return;
    const now = Date.now();
    if (now - (last.get(err.message) ?? 0) < REPEAT_LOG_MS) return;
    last.set(err.message, now);
    logger().warn({ err: err.message }, `${what} error`);
  });
  return client;
}

let factoryInstalled = false;

// BullMQ builds a client from connection options only through ioredis' single-server
// constructor, or through RedisConnection.clientFactory when one is set. Going through the
// factory keeps BullMQ the owner of its connections (close() ends them), in every topology.
function installBullFactory(): void {
  if (factoryInstalled) return;
  factoryInstalled = true;
  const previous = RedisConnection.clientFactory;
  RedisConnection.clientFactory = (opts) => {
    const { matchflowRedis, url, host, port, ...rest } = opts as RedisOptions & { matchflowRedis?: RedisTarget; url?: string };
    if (matchflowRedis) return createIORedisClient(createRedis(matchflowRedis, rest));
    if (previous) return previous(opts);
    return createIORedisClient(url ? new Redis(url, rest) : new Redis({ host, port, ...rest }));
  };
}

/** Connection options for BullMQ queues, workers, flow producers and queue events. */
export function bullConnection(t: RedisTarget): ConnectionOptions {
  installBullFactory();
  const target: RedisTarget = {
    redisUrl: t.redisUrl, redisClusterNodes: t.redisClusterNodes, redisSentinels: t.redisSentinels, redisSentinelName: t.redisSentinelName,
  };
  // the marker tells the factory below to build the connection
  return { matchflowRedis: target, maxRetriesPerRequest: null };
}

/** A key identifying where connections go, for caches of handles per target. */
export function redisTargetId(t: RedisTarget): string {
  return [redisTopology(t), t.redisUrl, t.redisClusterNodes.join(','), t.redisSentinels.join(','), t.redisSentinelName].join('|');
}

/**
 * Every key matching `pattern`, in batches. SCAN walks one server's keys: on a cluster each
 * master is walked in turn (replicas hold copies of the same keys).
 */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 500): AsyncGenerator<string[]> {
  if (redis instanceof Cluster && redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}

/** Redis key under the configured prefix, shared by locks, semaphores and caches. */
export function redisKey(...parts: string[]): string {
  return prefixedKey(config().queuePrefix, ...parts);
}

/** Redis key under an explicit prefix (code that takes a Config passes cfg.queuePrefix). */
export function prefixedKey(prefix: string, ...parts: string[]): string {
  return [prefix, ...parts].join(':');
}
