// A read-through cache of a cycle's encoded pages in the worker process: every build job of a
// cycle reads every (N) page, so without it a process would load each page once per row page.
// Bounded in bytes (least recently used out first); pages of a cycle never change once stored,
// so an entry is never stale. Losing it (a restart) only costs reloads.
import type { Pool } from '../shared/db.ts';
import type { PageKind } from '../shared/queues.ts';
import { loadPageData, pageKey } from './cycleStore.ts';

export class PageCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly capacityBytes: number) {}

  /** The pages' data, loading the missing ones in one query. */
  async get(pool: Pool, cycleId: string, pages: Array<{ kind: PageKind; index: number }>): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const missing: Array<{ kind: PageKind; index: number }> = [];
    for (const p of pages) {
      const id = `${cycleId}/${pageKey(p.kind, p.index)}`;
      const hit = this.entries.get(id);
      if (hit) {
        // refresh its recency
        this.entries.delete(id);
        this.entries.set(id, hit);
        out.set(pageKey(p.kind, p.index), hit);
      } else missing.push(p);
    }
    if (missing.length) {
      const loaded = await loadPageData(pool, cycleId, missing);
      for (const [key, data] of loaded) {
        out.set(key, data);
        this.put(`${cycleId}/${key}`, data);
      }
    }
    return out;
  }

  private put(id: string, data: Buffer): void {
    if (data.length > this.capacityBytes) return;
    this.entries.set(id, data);
    this.bytes += data.length;
    for (const [old, buf] of this.entries) {
      if (this.bytes <= this.capacityBytes) break;
      this.entries.delete(old);
      this.bytes -= buf.length;
    }
  }
}
