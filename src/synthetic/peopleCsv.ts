// Synthetic people as the CSV files users import: reference_id, type, then one column per
// metadata key (RFC 4180 quoting), in chunks of about 64 KiB.
import type { SyntheticNode } from './people.ts';

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function* peopleCsv(nodes: Iterable<SyntheticNode>): Generator<string> {
  let keys: string[] | null = null;
  let buf = '';
  for (const n of nodes) {
    if (!keys) {
      keys = Object.keys(n.metadata);
      buf += ['reference_id', 'type', ...keys].join(',') + '\n';
    }
    buf += [n.referenceId, n.type, ...keys.map((k) => n.metadata[k] ?? '')].map(csvField).join(',') + '\n';
    if (buf.length >= 1 << 16) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}
