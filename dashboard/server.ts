// Starts the dashboard: users and session key from configuration, its own PostgreSQL pool,
// Redis connection and queue handles, an HTTP server; close() ends all of them.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Config } from '../src/shared/config.ts';
import { createPool } from '../src/shared/db.ts';
import { logger } from '../src/shared/logger.ts';
import { openQueue } from '../src/shared/queue.ts';
import { QUEUE, type QueueName } from '../src/shared/queues.ts';
import { createRedis } from '../src/shared/redis.ts';
import { listenAddress } from '../src/shared/listenAddress.ts';
import { coordinationContext } from '../src/shared/coordination/context.ts';
import { inspectCoordination } from '../src/shared/coordination/inspect.ts';
import { createDashboardApp } from './app.ts';
import { dashboardHttpSettings } from './httpSettings.ts';
import { holdsFromSnapshot } from './holds.ts';
import { dashboardUsers, parseDashboardUsers, type DashboardUser } from './users.ts';

export interface RunningDashboard {
  url: string;
  port: number;
  /** the address listened on ('::' or '0.0.0.0': every interface) */
  address: string;
  close(): Promise<void>;
}

export interface StartDashboardOptions {
  /** overrides cfg.dashboardPort (0: any free port) */
  port?: number;
  host?: string;
}

// An empty DASHBOARD_USERS gets a one-off operator, announced in the log, rather than a dashboard
// nobody can open; the dashboard then listens on the loopback interface only (listenAddress).
function usersOrGenerated(configured: DashboardUser[]): DashboardUser[] {
  if (configured.length > 0) return configured;
  const password = randomBytes(12).toString('base64url');
  logger().warn(`DASHBOARD_USERS is empty: log in as 'admin' with the one-off password ${password} (set DASHBOARD_USERS to choose users)`);
  return parseDashboardUsers([`admin:${password}:operator`]);
}

export async function startDashboard(cfg: Config, opts: StartDashboardOptions = {}): Promise<RunningDashboard> {
  const configured = dashboardUsers(cfg);
  const where = listenAddress({
    service: 'the dashboard', credentialsSetting: 'DASHBOARD_USERS', hasCredentials: configured.length > 0,
    authDisabled: cfg.authDisabled, requested: opts.host,
  });
  const http = dashboardHttpSettings(cfg);
  const users = usersOrGenerated(configured);
  const sessionSecret = cfg.dashboardSessionSecret ? Buffer.from(cfg.dashboardSessionSecret, 'utf8') : randomBytes(32);
  const pool = createPool(cfg);
  // Fail a command rather than queue it while Redis is away, so pages and /readyz answer.
  const redis = createRedis(cfg, { maxRetriesPerRequest: 1 });
  redis.on('error', (err) => logger().warn({ err: err.message }, 'dashboard redis connection error'));
  const queues = (Object.values(QUEUE) as QueueName[]).map((name) => openQueue(cfg, name));
  for (const q of queues) q.on('error', (err) => logger().warn({ queue: q.name, err: err.message }, 'dashboard queue connection error'));
  const coordination = coordinationContext(cfg, redis);
  const readHolds = async () => holdsFromSnapshot(await inspectCoordination(coordination));
  const app = createDashboardApp({ cfg, http, pool, redis, queues, users, sessionSecret, readHolds });

  const listenPort = opts.port ?? cfg.dashboardPort;
  const server = where.host === undefined ? app.listen(listenPort) : app.listen(listenPort, where.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port, address } = server.address() as AddressInfo;
  if (where.warning) logger().warn(where.warning);
  let closing: Promise<void> | undefined;
  return {
    port,
    address,
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Open keep-alive requests get the shutdown deadline to finish, then are cut.
        const deadline = setTimeout(() => server.closeAllConnections(), cfg.shutdownTimeoutMs);
        await stopped;
        clearTimeout(deadline);
        await Promise.all(queues.map((q) => q.close()));
        await pool.end();
        redis.disconnect();
      })();
      return closing;
    },
  };
}
