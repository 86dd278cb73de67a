// A Redis Cluster of the test's own on local ports: `masters` masters with `replicas` replicas
// each, created with `redis-cli --cluster create`, its files under a temp directory, and a way to
// SIGKILL the master that serves a key and wait for its replica to take over.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { adminCommand, freeRedisPort, pollFor, startRedisProcess, type RedisProcess } from './redisProcess.ts';

const run = promisify(execFile);

export interface LocalClusterOptions {
  masters?: number;
  /** replicas per master */
  replicas?: number;
  /** cluster-node-timeout: how long a silent master goes before its replica is promoted */
  nodeTimeoutMs?: number;
}

export interface LocalCluster {
  /** host:port of every node, as REDIS_CLUSTER_NODES takes them */
  nodes: string[];
  /** the settings that point matchflow at this cluster */
  env: { REDIS_CLUSTER_NODES: string };
  /** port of the master serving the slot of `key` */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs the master serving the slot of `key`; returns its port */
  killMasterOf(key: string): Promise<number>;
  /** live replicas in sync with the master serving the slot of `key` */
  replicasOf(key: string): Promise<number>;
  /** waits until a live master other than `deadPort` serves the slot of `key` and the cluster is ok; returns its port */
  waitForNewMaster(key: string, deadPort: number, timeoutMs?: number): Promise<number>;
  /** number of live server processes */
  alive(): number;
  stop(): Promise<void>;
}

type SlotRange = [number, number, [string, number, ...unknown[]], ...unknown[]];

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
  const masters = opts.masters ?? 3;
  const replicas = opts.replicas ?? 0;
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 1000;
  const root = mkdtempSync(join(tmpdir(), 'mf-redis-cluster-'));
  const procs: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(procs.map((p) => p.kill()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freeRedisPort();
      procs.push(await startRedisProcess(root, port, [
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs),
        '--appendonly', 'no', '--maxmemory-policy', 'noeviction',
      ]));
    }
    const nodes = procs.map((p) => `127.0.0.1:${p.port}`);
    // redis-cli takes the first `masters` addresses as masters and gives each the next ones as replicas
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 60000 });
    await pollFor('every node to see the whole cluster ok', async () => {
      for (const p of procs) {
        const info = String(await adminCommand(p.port, 'CLUSTER', 'INFO'));
        if (infoField(info, 'cluster_state') !== 'ok' || Number(infoField(info, 'cluster_known_nodes')) !== procs.length) return false;
        if (Number(infoField(info, 'cluster_slots_ok')) !== 16384) return false;
      }
      return true;
    }, 30000);
    if (replicas > 0) {
      await pollFor('every replica to be in sync with its master', async () => {
        let inSync = 0;
        for (const p of procs) {
          const info = String(await adminCommand(p.port, 'INFO', 'replication'));
          if (infoField(info, 'role') === 'slave' && infoField(info, 'master_link_status') === 'up') inSync++;
        }
        return inSync === masters * replicas;
      }, 30000);
    }

    const live = () => procs.filter((p) => p.alive());
    const slotOf = async (key: string) => Number(await adminCommand(live()[0].port, 'CLUSTER', 'KEYSLOT', key));
    const masterPortFrom = async (askPort: number, slot: number) => {
      const ranges = (await adminCommand(askPort, 'CLUSTER', 'SLOTS')) as SlotRange[];
      const r = ranges.find(([from, to]) => slot >= from && slot <= to);
      return r ? Number(r[2][1]) : undefined;
    };
    const cluster: LocalCluster = {
      nodes,
      env: { REDIS_CLUSTER_NODES: nodes.join(',') },
      async masterOf(key) {
        const port = await masterPortFrom(live()[0].port, await slotOf(key));
        if (port === undefined) throw new Error(`no master serves the slot of ${key}`);
        return port;
      },
      async replicasOf(key) {
        const master = await cluster.masterOf(key);
        let n = 0;
        for (const p of live()) {
          const info = String(await adminCommand(p.port, 'INFO', 'replication'));
          if (infoField(info, 'role') === 'slave' && Number(infoField(info, 'master_port')) === master && infoField(info, 'master_link_status') === 'up') n++;
        }
        return n;
      },
      async killMasterOf(key) {
        const port = await cluster.masterOf(key);
        await procs.find((p) => p.port === port)!.kill();
        return port;
      },
      async waitForNewMaster(key, deadPort, timeoutMs = 30000) {
        const slot = await slotOf(key);
        return pollFor(`a replica to take over slot ${slot} from ${deadPort}`, async () => {
          // every live node must agree, and say the cluster is ok again
          let agreed: number | undefined;
          for (const p of live()) {
            const info = String(await adminCommand(p.port, 'CLUSTER', 'INFO'));
            if (infoField(info, 'cluster_state') !== 'ok') return false;
            const port = await masterPortFrom(p.port, slot);
            if (port === undefined || port === deadPort || (agreed !== undefined && port !== agreed)) return false;
            agreed = port;
          }
          return agreed;
        }, timeoutMs);
      },
      alive: () => live().length,
      stop,
    };
    return cluster;
  } catch (err) {
    const tails = procs.map((p) => `--- ${p.port}\n${p.logTail(8)}`).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${tails}`);
  }
}
