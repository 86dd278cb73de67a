// One redis-server process of a test's own: on a port it picked, with its files in a temp
// directory, logged to a file whose tail goes into the error when it does not start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Is `port` free on 127.0.0.1 right now? */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const taken = new Set<number>();

/**
 * A random high port that is free together with port + 10000 (a cluster node's bus port), away
 * from 6379 and the ephemeral range, and not handed out before in this process: parallel runs
 * on the machine pick different ports, and a port checked free is claimed by the caller at once.
 */
export async function freeRedisPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (taken.has(port) || taken.has(port + 10000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10000))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port pair for a redis-server');
}

export interface RedisProcess {
  port: number;
  dir: string;
  child: ChildProcess;
  alive(): boolean;
  /** SIGKILL, and wait until the process is gone */
  kill(): Promise<void>;
  /** the last lines of its log */
  logTail(lines?: number): string;
}

/** Waits until the server answers PING with PONG (not LOADING). */
export async function waitForPong(port: number, deadlineMs = 15000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > end) throw new Error(`redis-server on ${port} did not answer within ${deadlineMs} ms`);
    } finally {
      r.disconnect();
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Starts `redis-server` (args after the config file, if any) and waits for its PONG. */
export async function startRedisProcess(root: string, port: number, args: string[],
  opts: { configFile?: string; sentinel?: boolean } = {}): Promise<RedisProcess> {
  const dir = join(root, String(port));
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'redis.log');
  const argv = [
    ...(opts.configFile ? [opts.configFile] : []),
    ...(opts.sentinel ? ['--sentinel'] : []),
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', log, '--save', '', '--daemonize', 'no', ...args,
  ];
  const child = spawn('redis-server', argv, { stdio: 'ignore' });
  const proc: RedisProcess = {
    port, dir, child,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (!proc.alive()) return;
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await exited;
    },
    logTail(lines = 15) {
      try {
        return readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
  try {
    await waitForPong(port);
  } catch (err) {
    await proc.kill();
    throw new Error(`${(err as Error).message}; exit ${child.exitCode ?? child.signalCode}; log:\n${proc.logTail()}`);
  }
  return proc;
}

/** A plain connection to one server, for the test's own commands (CLUSTER, SENTINEL, INFO). */
export function adminConnection(port: number): Redis {
  const r = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  r.on('error', () => undefined);
  return r;
}

/** Runs one command on the server at `port` and disconnects. */
export async function adminCommand(port: number, command: string, ...args: Array<string | number>): Promise<unknown> {
  const r = adminConnection(port);
  try {
    await r.connect();
    return await r.call(command, ...args);
  } finally {
    r.disconnect();
  }
}

/** Polls `f` (errors count as "not yet") until it returns something truthy. */
export async function pollFor<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((res) => setTimeout(res, everyMs));
  }
}
