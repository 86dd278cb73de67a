// The HTTP side of a worker or producer process: /metrics (Prometheus: the seeds' metrics, BullMQ
// queue depths, default process metrics), /healthz (liveness: the event loop answers) and
// /readyz (PostgreSQL and Redis answer; 503 once the process is shutting down).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import { logger } from '../shared/logger.ts';
import { registry } from '../shared/metrics.ts';
import { openQueue } from '../shared/queue.ts';
import type { QueueName } from '../shared/queues.ts';
import { createRedis } from '../shared/redis.ts';
import { refreshQueueDepths } from './queueDepth.ts';
import { readinessAnswer } from './readiness.ts';

export interface ProbeServerOptions {
  /** queues whose depths /metrics reports */
  queues?: QueueName[];
  /** overrides cfg.metricsPort (0: any free port) */
  port?: number;
  host?: string;
}

export interface ProbeServer {
  port: number;
  url: string;
  /** from now on /readyz answers 503: the process is shutting down */
  drain(): void;
  /** stops the server and closes its connections */
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * The probes use connections of their own that fail fast, so that an outage shows as 503 within
 * HEALTH_CHECK_TIMEOUT_MS and a job pool busy with long queries does not read as "down".
 */
export async function startProbeServer(cfg: Config, opts: ProbeServerOptions = {}): Promise<ProbeServer> {
  const pool = createPool(cfg, { max: 1, connectionTimeoutMillis: cfg.healthCheckTimeoutMs });
  // Offline queue on, so that a probe right after start waits for the connection (bounded by
  // the timeout) instead of failing; one retry per command bounds what piles up in an outage.
  const redis = createRedis(cfg, { maxRetriesPerRequest: 1 });
  redis.on('error', (err) => logger().debug({ err: err.message }, 'probe redis connection error'));
  const queues = (opts.queues ?? []).map((name) => openQueue(cfg, name));
  for (const q of queues) q.on('error', (err) => logger().debug({ queue: q.name, err: err.message }, 'probe queue connection error'));
  const release = async () => {
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    redis.disconnect();
    await pool.end().catch(() => undefined);
  };
  let draining = false;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, JSON.stringify({ error: 'method not allowed' }));
    switch (path) {
      case '/healthz':
        return send(res, 200, JSON.stringify({ status: 'ok' }));
      case '/readyz': {
        if (draining) return send(res, 503, JSON.stringify({ status: 'draining' }));
        const r = await readinessAnswer({ pool, redis, timeoutMs: cfg.healthCheckTimeoutMs }, logger());
        return send(res, r.status, JSON.stringify(r.body));
      }
      case '/metrics':
        await refreshQueueDepths(queues, cfg.healthCheckTimeoutMs);
        return send(res, 200, await registry.metrics(), registry.contentType);
      default:
        return send(res, 404, JSON.stringify({ error: 'not found', paths: ['/metrics', '/healthz', '/readyz'] }));
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      logger().warn({ err, path: req.url }, 'probe request failed');
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'internal error' }));
      else res.destroy();
    });
  });
  const port = opts.port ?? cfg.metricsPort;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
        ? new Error(`METRICS_PORT ${port} is in use: set METRICS_PORT to a free port (0 picks any)`, { cause: err })
        : err));
      server.listen(port, opts.host, () => resolve());
    });
  } catch (err) {
    await release();
    throw err;
  }
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    drain() {
      draining = true;
    },
    close() {
      closing ??= (async () => {
        draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Scrapes are short: cut keep-alive and in-flight ones rather than wait for them.
        server.closeAllConnections();
        await stopped;
        await release();
      })();
      return closing;
    },
  };
}
