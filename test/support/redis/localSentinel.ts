// A Sentinel deployment of the test's own on local ports: one master, one replica and three
// Sentinels (`redis-server --sentinel`, quorum 2), with a way to SIGKILL the master and wait
// until the Sentinels have promoted the replica.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminCommand, freeRedisPort, pollFor, startRedisProcess, type RedisProcess } from './redisProcess.ts';

export const SENTINEL_MASTER_NAME = 'mfmaster';

export interface LocalSentinel {
  /** host:port of the Sentinels, as REDIS_SENTINELS takes them */
  sentinels: string[];
  /** the settings that point matchflow at this deployment */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string };
  /** port of the master as the first live Sentinel sees it */
  masterPort(): Promise<number>;
  /** SIGKILLs the current master; returns its port */
  killMaster(): Promise<number>;
  /** waits until every Sentinel names a master other than `deadPort` and that server says it is master */
  waitForNewMaster(deadPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

export async function startLocalSentinel(opts: { downAfterMs?: number } = {}): Promise<LocalSentinel> {
  const downAfterMs = opts.downAfterMs ?? 1000;
  const root = mkdtempSync(join(tmpdir(), 'mf-redis-sentinel-'));
  const servers: RedisProcess[] = [];
  const sentinels: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all([...sentinels, ...servers].map((p) => p.kill()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const masterPort = await freeRedisPort();
    servers.push(await startRedisProcess(root, masterPort, ['--appendonly', 'no', '--maxmemory-policy', 'noeviction']));
    const replicaPort = await freeRedisPort();
    servers.push(await startRedisProcess(root, replicaPort, ['--appendonly', 'no', '--maxmemory-policy', 'noeviction',
      '--replicaof', '127.0.0.1', String(masterPort)]));
    const replicaLink = async () => infoField(String(await adminCommand(replicaPort, 'INFO', 'replication')), 'master_link_status');
    await pollFor('the replica to sync', async () => (await replicaLink()) === 'up', 30000);

    for (let i = 0; i < 3; i++) {
      const port = await freeRedisPort();
      // Sentinel rewrites its configuration file (what it learns about replicas and peers)
      const file = join(root, `sentinel-${port}.conf`);
      writeFileSync(file, [
        `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${downAfterMs}`,
        `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
        '',
      ].join('\n'));
      sentinels.push(await startRedisProcess(root, port, [], { configFile: file, sentinel: true }));
    }
    await pollFor('every Sentinel to know the replica and the other two', async () => {
      for (const s of sentinels) {
        const replicas = (await adminCommand(s.port, 'SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME)) as unknown[];
        const peers = (await adminCommand(s.port, 'SENTINEL', 'SENTINELS', SENTINEL_MASTER_NAME)) as unknown[];
        if (replicas.length !== 1 || peers.length !== 2) return false;
      }
      return true;
    }, 30000);

    const live = () => sentinels.filter((s) => s.alive());
    const masterFrom = async (sentinelPort: number) =>
      Number(((await adminCommand(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME)) as string[])[1]);
    const deployment: LocalSentinel = {
      sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`),
      env: { REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME },
      masterPort: () => masterFrom(live()[0].port),
      async killMaster() {
        const port = await deployment.masterPort();
        await servers.find((s) => s.port === port)!.kill();
        return port;
      },
      waitForNewMaster(deadPort, timeoutMs = 30000) {
        return pollFor(`the Sentinels to promote a new master in place of ${deadPort}`, async () => {
          const seen = new Set<number>();
          for (const s of live()) seen.add(await masterFrom(s.port));
          if (seen.size !== 1) return false;
          const [port] = seen;
          if (port === deadPort) return false;
          return infoField(String(await adminCommand(port, 'INFO', 'replication')), 'role') === 'master' ? port : false;
        }, timeoutMs);
      },
      stop,
    };
    return deployment;
  } catch (err) {
    const tails = [...servers, ...sentinels].map((p) => `--- ${p.port}\n${p.logTail(8)}`).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${tails}`);
  }
}
