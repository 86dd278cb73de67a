// Score histograms per group, kept between page views: bucketing a large group scans all its
// potential matches (about a second per two million rows), and they only change when a
// potential cycle writes. An entry is reused while the group's last potential run is the same
// (cycle, status, finish time) and it is younger than the TTL.
import type { ScoreHistogram } from './histogramSvg.ts';

interface Entry {
  version: string;
  computedAt: number;
  histogram: ScoreHistogram;
}

export class HistogramCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number) {}

  get(groupId: string, version: string, now: number): ScoreHistogram | null {
    const e = this.entries.get(groupId);
    return e && e.version === version && now - e.computedAt < this.ttlMs ? e.histogram : null;
  }

  set(groupId: string, version: string, histogram: ScoreHistogram, now: number): void {
    if (this.ttlMs > 0) this.entries.set(groupId, { version, computedAt: now, histogram });
  }

  /** Forgets groups that are no longer listed, so the cache stays as small as the page. */
  retainOnly(groupIds: Iterable<string>): void {
    const keep = new Set(groupIds);
    for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id);
  }
}
