import { parseArgs } from 'node:util';
import { config } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { checkServices } from './preflight.ts';
import { startDashboard } from '../../dashboard/server.ts';
import { dashboardUsers } from '../../dashboard/users.ts';
import { EXIT, UsageError, type Command } from './command.ts';

export const dashboardCommand: Command = {
  name: 'dashboard',
  help: `Usage: matchflow dashboard [--port N] [--host ADDRESS]

Serves, behind a login (form with a session cookie, or HTTP Basic for scripts):
  /ops      last potential and perfect runs per group, compatibility-score histograms,
            queue counts, locks and semaphores held now, tripped circuit breakers
  /board    Bull Board for the import, potential and perfect queues: operators may pause,
            resume, retry, promote and clean; read-only users only look (refused with 403)
and, without a login, /healthz (liveness) and /readyz (PostgreSQL and Redis answer).

Users come from DASHBOARD_USERS=name:password:role[,…] with role operator or readonly.
Without users it logs a one-off 'admin' password and listens on 127.0.0.1 only (AUTH_DISABLED=true
lets it listen elsewhere). On SIGTERM or SIGINT it stops accepting connections, lets open requests
finish within SHUTDOWN_TIMEOUT_MS, closes its connections and exits 0.

Options:
  --port N         listen on this port (default DASHBOARD_PORT)
  --host ADDRESS   listen on this address (default: all interfaces; 127.0.0.1 without users)
Exit codes: 0 stopped by a signal, 2 bad option or configuration, 3 PostgreSQL or Redis unreachable.`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' } } });
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError('--port must be an integer from 0 to 65535');
    const cfg = config();
    dashboardUsers(cfg); // a bad DASHBOARD_USERS fails before anything starts
    if (!(await checkServices(cfg))) return EXIT.unavailable;
    const dashboard = await startDashboard(cfg, { port, host: values.host });
    logger().info({ port: dashboard.port, address: dashboard.address }, 'dashboard listening');
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger().info({ signal }, 'dashboard shutting down');
        dashboard.close().then(resolve, (err) => {
          logger().error({ err }, 'dashboard did not close cleanly');
          resolve();
        });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    logger().info('dashboard stopped');
    return EXIT.ok;
  },
};
