// Scored edges from a CSV `left,right,score` (the input of `matchflow solve` and of the perfect
// bench's anchors) as a graph with its node names.
import type { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { GraphBuilder, SelfLoopError, type NamedGraph } from '../matching/perfect/graphBuilder.ts';

/** Bad input, naming the line of the first bad record. */
export class EdgeCsvError extends Error {}

const REQUIRED = ['left', 'right', 'score'] as const;

/** Streams the CSV into a graph; EdgeCsvError names the line of the first bad record. */
export async function readEdges(input: Readable, bipartite: boolean): Promise<NamedGraph> {
  const builder = new GraphBuilder(bipartite);
  const parser = input.pipe(parse({ bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }));
  input.on('error', (err) => parser.destroy(err));
  let col: Record<(typeof REQUIRED)[number], number> | null = null;
  let width = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (!col) {
        const names = record.map((h) => h.toLowerCase());
        const missing = REQUIRED.filter((c) => !names.includes(c));
        if (missing.length) throw new EdgeCsvError(`line ${line}: the header must name the columns left, right and score (missing: ${missing.join(', ')})`);
        col = { left: names.indexOf('left'), right: names.indexOf('right'), score: names.indexOf('score') };
        width = record.length;
        continue;
      }
      if (record.length !== width) throw new EdgeCsvError(`line ${line}: ${record.length} fields, the header has ${width}`);
      const l = record[col.left];
      const r = record[col.right];
      const raw = record[col.score];
      if (l === '') throw new EdgeCsvError(`line ${line}: empty left id`);
      if (r === '') throw new EdgeCsvError(`line ${line}: empty right id`);
      const score = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(score)) throw new EdgeCsvError(`line ${line}: score '${raw}' is not a finite number`);
      try {
        builder.add(l, r, score);
      } catch (err) {
        if (err instanceof SelfLoopError) throw new EdgeCsvError(`line ${line}: ${err.message} (use --bipartite if left and right are two sides)`);
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof CsvError) throw new EdgeCsvError(`CSV syntax error: ${err.message}`);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EdgeCsvError('no such file');
    throw err;
  }
  if (!col) throw new EdgeCsvError('empty file: expected a header left,right,score');
  return builder.build();
}
