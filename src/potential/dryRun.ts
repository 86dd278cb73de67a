// `matchflow run potential --group G --dry-run`: a group's potential-match cycle
// computed in this process and written nowhere. It walks the same keyset pages (fetchNodePage),
// encodes them the same way, scores each row page against the same column pages in the same
// memory-budget batches with the same scoring function (scoreRows) and neighbour ids, so the
// edges it reports are the rows a real cycle would write into potential_matches.
//
// Why in the calling process rather than a `dryRun` flag carried through the BullMQ flow: the
// flow's jobs hand their work to each other through PostgreSQL (potential_cycles, staged pages,
// the group lock and its fencing token, last_run_potential_matches PENDING) — a flow that wrote
// none of that would be a second pipeline anyway. Reads only: no lock, no staging, no last run,
// no processed flags, no cursor, no jobs; metrics untouched (a dry run must not move the counters
// that dashboards alert on).
import { randomUUID } from 'node:crypto';
import { serializePage } from '../matching/pageCodec.ts';
import { getGroup, groupConfiguration, type GroupRow } from '../groups/catalog.ts';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import type { KeysetCursor, PageKind } from '../shared/queues.ts';
import { columnBatchBytes, neighbourIds } from './cyclePlan.ts';
import { lastCompletedSettingsHash, pageKey, type CycleRow, type PageInfo } from './cycleStore.ts';
import { loadStoredLists } from './pageMatches.ts';
import { rankPage, type RankingIo } from './pageRanking.ts';
import { encodeNodePage } from './fetchPage.ts';
import { fetchNodePage } from './nodePages.ts';
import { groupSettings, settingsFingerprint } from '../groups/groupSettings.ts';
import type { PageEdge } from './pageMatches.ts';
import { countCandidates, rankCandidates, scoreRows } from './scoringTask.ts';

/** score histogram: 10 buckets of width 0.1 over [0, 1] */
export const BUCKETS = 10;

export interface PotentialDryRunOptions {
  /** false: new nodes against all (the scheduler's cycles); true: full recompute (--force) */
  full?: boolean;
  /** edges listed in the sample, best first */
  sampleSize?: number;
  /** keep every edge in the result (tests) */
  keepEdges?: boolean;
}

export interface PotentialDryRun {
  groupId: string;
  mode: CycleRow['mode'];
  strategy: string;
  topK: number;
  /** why nothing would run (an incremental cycle without new nodes) */
  skipped?: string;
  newNodes: number;
  existingNodes: number;
  pages: { new: number; existing: number };
  /** pairs the strategy scored */
  pairsScored: number;
  /** edges above the threshold (potential_matches_generated_total of a real run) */
  generated: number;
  /** edges evicted by the nodes' top-K (match_drops_total) */
  dropped: number;
  /** rows the cycle would upsert into potential_matches (potential_matches_saved_total) */
  wouldWrite: number;
  /** a full recompute: the group's row count afterwards (rows of departed nodes are deleted) */
  rowsAfter: number | null;
  scores: { min: number; mean: number; max: number; histogram: number[] } | null;
  sample: PageEdge[];
  edges?: PageEdge[];
  seconds: number;
}

interface DryPage extends PageInfo {
  data: Buffer;
}

async function fetchPages(cfg: Config, pool: Pool, cycle: CycleRow, kind: PageKind, settings: ReturnType<typeof groupSettings>): Promise<DryPage[]> {
  const pages: DryPage[] = [];
  let after: KeysetCursor | null = null;
  for (let index = 0; ; index++) {
    const rows = await fetchNodePage({ pool }, cycle, kind, after, cfg.nodeFetchBatchSize);
    if (rows.length > 0) {
      const page = encodeNodePage(rows, settings);
      const data = serializePage(page);
      pages.push({ kind, index, nodeCount: rows.length, bytes: data.length, referenceIds: page.referenceIds, data });
    }
    if (rows.length < cfg.nodeFetchBatchSize) return pages;
    const last = rows[rows.length - 1];
    after = { createdAt: last.created_at, id: last.id };
  }
}

/** Keeps the `n` best edges seen (score desc, then reference ids), for the sample. */
function offerSample(sample: PageEdge[], e: PageEdge, n: number): void {
  if (n <= 0) return;
  const worse = (a: PageEdge, b: PageEdge) =>
    a.score < b.score || (a.score === b.score && (a.referenceId + a.matchedReferenceId) > (b.referenceId + b.matchedReferenceId));
  if (sample.length === n && !worse(sample[n - 1], e)) return;
  let i = Math.min(sample.length, n - 1);
  sample[i] = e;
  while (i > 0 && worse(sample[i - 1], sample[i])) {
    [sample[i - 1], sample[i]] = [sample[i], sample[i - 1]];
    i--;
  }
}

export async function dryRunPotential(cfg: Config, pool: Pool, groupRef: Pick<GroupRow, 'id'>, opts: PotentialDryRunOptions = {}): Promise<PotentialDryRun> {
  const t0 = Date.now();
  const group = await getGroup(pool, groupRef.id);
  if (!group) throw new Error(`group ${groupRef.id} does not exist`);
  const settings = groupSettings(cfg, group, await groupConfiguration(pool, group.id));
  const settingsHash = settingsFingerprint(settings);
  // as beginCycle decides: rows scored with other settings make the cycle a full recompute
  const lastHash = opts.full ? undefined : await lastCompletedSettingsHash(pool, group.id);
  const mode = opts.full || (lastHash !== undefined && lastHash !== settingsHash) ? 'FULL' : 'INCREMENTAL';
  // a cycle row that exists only here: fetchNodePage reads its group, domain and mode
  const cycle: CycleRow = {
    cycleId: `dry-run-${randomUUID()}`, groupId: group.id, domainId: group.domainId, mode, lockToken: 0, permitToken: null,
    startedAt: new Date(), newPages: null, existingPages: null, groupHadMatches: true, settings, settingsHash,
  };
  const newPages = await fetchPages(cfg, pool, cycle, 'N', settings);
  const existingPages = mode === 'INCREMENTAL' && newPages.length > 0 ? await fetchPages(cfg, pool, cycle, 'E', settings) : [];
  const result: PotentialDryRun = {
    groupId: group.id, mode, strategy: settings.strategy, topK: settings.topK,
    newNodes: newPages.reduce((a, p) => a + p.nodeCount, 0), existingNodes: existingPages.reduce((a, p) => a + p.nodeCount, 0),
    pages: { new: newPages.length, existing: existingPages.length },
    pairsScored: 0, generated: 0, dropped: 0, wouldWrite: 0, rowsAfter: null, scores: null, sample: [], seconds: 0,
    ...(opts.keepEdges ? { edges: [] } : {}),
  };
  if (newPages.length === 0) {
    result.skipped = mode === 'INCREMENTAL' ? 'no new nodes' : 'the group has no nodes';
    result.rowsAfter = mode === 'FULL' ? 0 : null;
    result.seconds = (Date.now() - t0) / 1000;
    return result;
  }
  const pages = [...newPages, ...existingPages];
  const named = neighbourIds(pages);
  const data = new Map(pages.map((p) => [pageKey(p.kind, p.index), p.data]));
  const io: RankingIo = {
    score: async (input) => scoreRows(input),
    count: async (input) => countCandidates(input),
    rank: async (input) => rankCandidates(input),
    load: async (batch) => new Map(batch.map((p) => [pageKey(p.kind, p.index), data.get(pageKey(p.kind, p.index))!])),
    stored: (refs) => loadStoredLists(pool, group.id, refs),
    batchBytes: columnBatchBytes(cfg.maxMemoryMb, cfg.workerConcurrency),
  };
  const histogram = new Array<number>(BUCKETS).fill(0);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let dropped = 0;
  for (const rows of pages) {
    const ranked = await rankPage(io, settings, rows, pages, named);
    result.pairsScored += ranked.pairs;
    result.generated += ranked.offered;
    let kept = 0;
    ranked.lists.forEach((l, x) => {
      for (let j = 0; j < Math.min(settings.topK, l.ids.length); j++) {
        const score = l.scores[j];
        const e = { referenceId: rows.referenceIds[x], matchedReferenceId: named.referenceOfId[l.ids[j]], score };
        kept++;
        sum += score;
        if (score < min) min = score;
        if (score > max) max = score;
        histogram[Math.min(BUCKETS - 1, Math.max(0, Math.floor(score * BUCKETS)))]++;
        offerSample(result.sample, e, opts.sampleSize ?? 10);
        result.edges?.push(e);
      }
    });
    result.wouldWrite += kept;
    // as build-chunk-pair counts match_drops_total
    dropped += Math.max(0, ranked.offered - kept);
  }
  result.dropped = dropped;
  // a full recompute replaces the group's rows: what it writes is what the group holds afterwards
  result.rowsAfter = mode === 'FULL' ? result.wouldWrite : null;
  result.scores = result.wouldWrite ? { min, mean: sum / result.wouldWrite, max, histogram } : null;
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}
