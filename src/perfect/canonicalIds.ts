// Dense ids in reference-id order. Ids are first handed out in the order rows stream in, which
// PostgreSQL does not fix; renumbering by the sorted reference ids makes every tie-break (and
// so the result) the same on every run.

export interface CanonicalIds {
  refs: string[];
  /** remap[oldId] = new id */
  remap: Int32Array;
}

export function canonicalIds(refs: string[]): CanonicalIds {
  const order = refs.map((_, i) => i).sort((a, b) => (refs[a] < refs[b] ? -1 : refs[a] > refs[b] ? 1 : 0));
  const remap = new Int32Array(refs.length);
  order.forEach((oldId, newId) => (remap[oldId] = newId));
  return { refs: order.map((i) => refs[i]), remap };
}

export function remapInPlace(ids: Int32Array, remap: Int32Array): void {
  for (let k = 0; k < ids.length; k++) ids[k] = remap[ids[k]];
}
