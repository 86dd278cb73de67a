// One encoded page made of chosen nodes of several pages, as if they had been encoded together:
// the keys are the sorted union of theirs and each key's dictionary is rebuilt from the item
// strings. Scores do not depend on which page a node is in (compatibilityScorer.ts), so a node
// scores the same from here, bit for bit. The recall estimate of a cycle scores its sampled nodes,
// spread over many pages, as one row page: one page-pair alignment per column page instead of one
// per sampled page and column page. Band keys are not carried (the sample is scored flat).
import { compareCodePoints, KIND_MISSING, type EncodedPage } from './encodedPage.ts';

export function gatherNodes(parts: ReadonlyArray<{ page: EncodedPage; nodes: ArrayLike<number> }>): EncodedPage {
  const keys = [...new Set(parts.flatMap((p) => p.page.keys))].sort(compareCodePoints);
  const K = keys.length;
  const size = parts.reduce((n, p) => n + p.nodes.length, 0);
  const kind = new Uint8Array(size * K);
  const num = new Float64Array(size * K).fill(NaN);
  const itemStart = new Int32Array(size * K + 1);
  const items: number[] = [];
  const dict: string[][] = keys.map(() => []);
  const ids = keys.map(() => new Map<string, number>());
  const referenceIds: string[] = [];
  const types: string[] = [];
  const side = new Uint8Array(size);
  const slotItems: number[] = [];
  let out = 0;
  for (const { page, nodes } of parts) {
    const KP = page.keys.length;
    // per output key: its index in this page, -1 when the page lacks it
    const from = Int32Array.from(keys, (k) => page.keys.indexOf(k));
    for (let j = 0; j < nodes.length; j++, out++) {
      const node = nodes[j];
      referenceIds.push(page.referenceIds[node]);
      types.push(page.types[node]);
      side[out] = page.side[node];
      for (let k = 0; k < K; k++) {
        const s = out * K + k;
        itemStart[s] = items.length;
        const pk = from[k];
        if (pk < 0) continue; // KIND_MISSING, NaN, no items
        const src = node * KP + pk;
        kind[s] = page.kind[src];
        num[s] = page.num[src];
        if (page.kind[src] === KIND_MISSING) continue;
        slotItems.length = 0;
        for (let x = page.itemStart[src]; x < page.itemStart[src + 1]; x++) {
          const item = page.dict[pk][page.items[x]];
          let id = ids[k].get(item);
          if (id === undefined) {
            id = dict[k].length;
            dict[k].push(item);
            ids[k].set(item, id);
          }
          slotItems.push(id);
        }
        slotItems.sort((a, b) => a - b);
        for (const id of slotItems) items.push(id);
      }
    }
  }
  itemStart[size * K] = items.length;
  return { size, referenceIds, types, keys, kind, num, itemStart, items: Int32Array.from(items), dict, lsh: null, side };
}
