// A Redis server of the test's own, with AOF on, so that a chaos test can kill and restart it
// and find the queues as they were (what production Redis must be configured to do).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './freePort.ts';

export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL then start again on the same port and AOF directory */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPing(port: number, deadlineMs = 15000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      // While the AOF loads, Redis answers LOADING; wait for a real PONG.
      if ((await r.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > end) throw new Error(`redis on ${port} did not start`);
    } finally {
      r.disconnect();
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-redis-'));
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes',
      '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction', '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
    await waitForPing(port).catch((err) => {
      const log = (() => { try { return readFileSync(join(dir, 'redis.log'), 'utf8').split('\n').slice(-15).join('\n'); } catch { return ''; } })();
      throw new Error(`${(err as Error).message}; exit ${child.exitCode ?? child.signalCode}; log:\n${log}`);
    });
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
