// The worker-local LMDB environment (LMDB_PATH): scratch space that is local by construction —
// losing it loses no data. lmdb-js wants one environment per process (opening the same one twice
// breaks its locks) and has crashed when used from worker threads (lmdb-js #48, #164), so this
// module opens at most one, and only on the main thread.
import { isMainThread } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Config } from './config.ts';

let store: { path: string; root: RootDatabase } | null = null;

export class LocalStoreError extends Error {}

/** The process's LMDB environment, opened on first use. */
export function localStore(cfg: Pick<Config, 'lmdbPath' | 'lmdbMapSizeBytes'>): RootDatabase {
  if (!isMainThread) throw new LocalStoreError('LMDB is used from the main thread only (lmdb-js #48, #164); hand edges to threads as typed arrays');
  const path = resolve(cfg.lmdbPath);
  if (store) {
    if (store.path !== path) throw new LocalStoreError(`this process already has its LMDB environment at ${store.path} (one per process), not ${path}`);
    return store.root;
  }
  mkdirSync(path, { recursive: true });
  const root = open({ path, mapSize: cfg.lmdbMapSizeBytes, maxDbs: 16 });
  store = { path, root };
  return root;
}

/** A binary-valued sub-database of the local store (keys are arrays of strings and numbers). */
export function localBinaryDb(cfg: Pick<Config, 'lmdbPath' | 'lmdbMapSizeBytes'>, name: string): Database<Buffer, Array<string | number>> {
  return localStore(cfg).openDB<Buffer, Array<string | number>>({ name, encoding: 'binary', compression: false });
}
