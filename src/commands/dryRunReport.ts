// What `matchflow run <stage> --dry-run` prints: a dry run's result as an operator reads it.
import type { GroupRow } from '../groups/catalog.ts';
import type { PerfectMatchResult } from '../perfect/perfectMatchGroup.ts';
import { BUCKETS, type PotentialDryRun } from '../potential/dryRun.ts';

/** The dry run as an operator reads it. */
export function formatPotentialDryRun(r: PotentialDryRun, group: Pick<GroupRow, 'name' | 'id'>): string {
  const lines = [
    `DRY RUN — nothing was written. ${r.mode === 'FULL' ? 'Full' : 'Incremental'} potential cycle of group ${group.name} (${group.id}):`,
  ];
  if (r.skipped) {
    lines.push(`  would be skipped: ${r.skipped}`);
    return lines.join('\n') + '\n';
  }
  lines.push(
    `  strategy ${r.strategy}, top-${r.topK}; ${r.newNodes} new nodes in ${r.pages.new} pages` + (r.mode === 'INCREMENTAL' ? `, ${r.existingNodes} existing nodes in ${r.pages.existing} pages` : ''),
    `  pairs scored            ${r.pairsScored}`,
    `  edges above threshold   ${r.generated}`,
    `  dropped by top-K        ${r.dropped}`,
    `  rows it would upsert    ${r.wouldWrite}  (potential_matches)`,
  );
  if (r.rowsAfter !== null) lines.push(`  group rows afterwards   ${r.rowsAfter}`);
  if (r.scores) {
    const s = r.scores;
    lines.push(`  scores                  min ${s.min.toFixed(3)}  mean ${s.mean.toFixed(3)}  max ${s.max.toFixed(3)}`);
    const top = Math.max(...s.histogram);
    s.histogram.forEach((n, i) => {
      if (n) lines.push(`    ${(i / BUCKETS).toFixed(1)}–${((i + 1) / BUCKETS).toFixed(1)} ${'#'.repeat(Math.max(1, Math.round((n / top) * 30))).padEnd(30)} ${n}`);
    });
  }
  if (r.sample.length) {
    lines.push('  best edges:');
    for (const e of r.sample) lines.push(`    ${e.referenceId} → ${e.matchedReferenceId}  score ${e.score.toFixed(3)}`);
  }
  lines.push(`  computed in ${r.seconds.toFixed(2)} s`);
  return lines.join('\n') + '\n';
}

export function formatPerfectDryRun(r: PerfectMatchResult, group: Pick<GroupRow, 'name' | 'id'>): string {
  const lines = [`DRY RUN — nothing was written. Perfect matches of group ${group.name} (${group.id}):`];
  if (r.skipped) return `${lines[0]}\n  would be skipped: ${r.skipped}\n`;
  lines.push(
    `  strategy ${r.strategy}; ${r.nodes} nodes, ${r.edges} potential-match edges read${r.outOfCore ? ` (out of core: ${r.outOfCore})` : ''}`,
    `  pairs it would write    ${r.pairs}  (perfect_matches)`,
    `  total score             ${r.totalScore?.toFixed(3)}${r.pairs ? `  (mean ${(r.totalScore! / r.pairs).toFixed(3)})` : ''}`,
  );
  if (r.sample?.length) {
    lines.push('  best pairs:');
    for (const p of r.sample) lines.push(`    ${p.referenceId} ↔ ${p.matchedReferenceId}  score ${p.score.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}
