// A fleet of `matchflow worker` processes for chaos and scaling tests. Each worker reaches
// PostgreSQL and Redis through its own TCP proxies, so that one worker's network can be cut. A
// Redis Cluster or Sentinel deployment is reached directly: its clients follow the addresses the
// servers announce, which a single proxy port cannot stand for.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWriteStream, type WriteStream } from 'node:fs';
import { startTcpProxy, type TcpProxy } from './tcpProxy.ts';

// The built CLI, as deployed: one process, so a SIGKILL of its pid kills the worker itself.
const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));

export interface FleetOptions {
  size: number;
  env: NodeJS.ProcessEnv;
  /** ports of the real servers; workers get proxies in front of them (none for Redis when absent) */
  pgPort: number;
  redisPort?: number;
  queues?: string;
  /** file that collects the workers' logs (truncated by the caller) */
  logFile?: string;
  /**
   * Start a worker again when it exits on its own (as an orchestrator's restart policy does):
   * a replacement that starts while PostgreSQL restarts exits 3 (unavailable).
   */
  restartOnExit?: boolean;
}

interface Member {
  slot: number;
  child: ChildProcess;
  pgProxy: TcpProxy;
  redisProxy?: TcpProxy;
  /** set before the fleet kills it, so that its exit is not taken for a crash */
  killed?: boolean;
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

export class WorkerFleet {
  private members: Member[] = [];
  private log?: WriteStream;
  private stopping = false;
  started = 0;
  /** workers that exited by themselves (not killed by the fleet) */
  selfExits = 0;

  constructor(private readonly opts: FleetOptions) {
    if (opts.logFile) this.log = createWriteStream(opts.logFile, { flags: 'a' });
  }

  async start(): Promise<void> {
    for (let slot = 0; slot < this.opts.size; slot++) this.members.push(await this.spawnMember(slot));
  }

  private async spawnMember(slot: number, proxies?: { pg: TcpProxy; redis?: TcpProxy }): Promise<Member> {
    const pgProxy = proxies?.pg ?? (await startTcpProxy(this.opts.pgPort));
    const redisPort = this.opts.redisPort;
    const redisProxy = proxies ? proxies.redis : redisPort === undefined ? undefined : await startTcpProxy(redisPort);
    const env = {
      ...this.opts.env,
      DATABASE_URL: withPort(this.opts.env.DATABASE_URL!, pgProxy.port),
      ...(redisProxy ? { REDIS_URL: withPort(this.opts.env.REDIS_URL!, redisProxy.port) } : {}),
      METRICS_PORT: '0',
    };
    const args = [CLI, 'worker', ...(this.opts.queues ? ['--queues', this.opts.queues] : [])];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => this.log?.write(d));
    child.stderr?.on('data', (d) => this.log?.write(d));
    this.started++;
    const member: Member = { slot, child, pgProxy, redisProxy };
    child.once('exit', (code, signal) => {
      if (this.stopping || this.members[slot] !== member || member.killed) return;
      this.selfExits++;
      this.log?.write(`{"fleet":"worker in slot ${slot} exited by itself","code":${code},"signal":"${signal}"}\n`);
      if (!this.opts.restartOnExit) return;
      setTimeout(() => {
        if (this.stopping || this.members[slot] !== member) return;
        void this.spawnMember(slot, { pg: pgProxy, redis: redisProxy }).then((m) => {
          if (this.stopping) void killHard(m.child);
          else this.members[slot] = m;
        });
      }, 500);
    });
    return member;
  }

  get size(): number {
    return this.members.length;
  }

  /** SIGKILLs the worker in `slot` and starts a replacement behind the same proxies. */
  async killAndReplace(slot: number): Promise<void> {
    const m = this.members[slot];
    m.killed = true;
    await killHard(m.child);
    this.members[slot] = await this.spawnMember(slot, { pg: m.pgProxy, redis: m.redisProxy });
  }

  /** Cuts the worker's connections to both servers (PostgreSQL only, without a Redis proxy) for `ms`, then lets it reconnect. */
  async partition(slot: number, ms: number): Promise<void> {
    const m = this.members[slot];
    m.pgProxy.cut();
    m.redisProxy?.cut();
    await new Promise((r) => setTimeout(r, ms));
    m.pgProxy.restore();
    m.redisProxy?.restore();
  }

  /** pids of the live workers, by slot */
  pids(): number[] {
    return this.members.map((m) => m.child.pid!);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.members.map(async (m) => {
      await terminate(m.child);
      await m.pgProxy.close();
      await m.redisProxy?.close();
    }));
    this.members = [];
    this.log?.end();
  }
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** SIGTERM (graceful), then SIGKILL after 10 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  await exited;
  clearTimeout(timer);
}
