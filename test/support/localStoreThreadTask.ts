// Run in a ThreadPool thread by the edge-spill test: LMDB must refuse to open off the main thread.
import { localStore } from '../../src/shared/localStore.ts';

export function openFromThread(input: { path: string }): string {
  try {
    localStore({ lmdbPath: input.path, lmdbMapSizeBytes: 1 << 30 });
    return 'opened';
  } catch (err) {
    return (err as Error).message;
  }
}
