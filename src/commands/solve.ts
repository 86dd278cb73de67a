// `matchflow solve`: runs a perfect-match strategy over a CSV of scored edges, offline — the way
// to try strategies on one's own data without PostgreSQL or Redis.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { config } from '../shared/config.ts';
import type { NamedGraph } from '../matching/perfect/graphBuilder.ts';
import { EdgeCsvError, readEdges } from '../perfect/edgeCsv.ts';
import { STRATEGIES, STRATEGY_NAMES, isStrategyName, runStrategy, UnsupportedGraphError } from '../matching/perfect/strategies.ts';
import { strategyOptionsFromConfig } from '../groups/groupSettings.ts';
import { totalScore, type Pairs } from '../matching/perfect/graph.ts';
import { EXIT, UsageError, type Command } from './command.ts';

const width = Math.max(...STRATEGY_NAMES.map((n) => n.length));

export const solveCommand: Command = {
  name: 'solve',
  help: `Usage: matchflow solve --strategy S --input edges.csv [--output pairs.csv] [--bipartite]
                       [--k K] [--capacity C] [--left-capacity C]

Reads edges from a CSV whose header names the columns left, right and score (other columns are
ignored; "-" reads standard input). With --bipartite the left and right columns are two sides
(the same id on both sides is two nodes); without it the graph is undirected on one node set.
A pair listed twice keeps its highest score. Writes the chosen pairs as CSV left,right,score to
--output (default standard output) and prints the pair count and total score to standard error.

Strategies:
${STRATEGIES.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}${s.general ? '' : ' [--bipartite]'}`).join('\n')}

One-to-one strategies never choose an edge whose score is ≤ 0 (it cannot add to the total);
stable treats such an edge as unacceptable.

Options:
  --k K                K of top-k and mutual-top-k (default MATCHING_TOPK_COUNT, 100)
  --capacity C         stable: partners per right-side node (default PERFECT_STABLE_CAPACITY, 1)
  --left-capacity C    stable: partners per left-side node (default 1)
Exit codes: 0 done, 1 bad input (the message names the line), 2 usage error.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        strategy: { type: 'string' },
        input: { type: 'string' },
        output: { type: 'string' },
        bipartite: { type: 'boolean', default: false },
        k: { type: 'string' },
        capacity: { type: 'string' },
        'left-capacity': { type: 'string' },
      },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const strategy = values.strategy;
    if (!strategy) throw new UsageError('--strategy is required');
    if (!isStrategyName(strategy)) throw new UsageError(`unknown strategy '${strategy}' (one of: ${STRATEGY_NAMES.join(', ')})`);
    if (!values.input) throw new UsageError('--input is required');
    const opts = strategyOptionsFromConfig(config(), {
      ...(values.k !== undefined && { topK: positiveInt('--k', values.k, 1) }),
      ...(values.capacity !== undefined && { rightCapacity: positiveInt('--capacity', values.capacity, 0) }),
      ...(values['left-capacity'] !== undefined && { leftCapacity: positiveInt('--left-capacity', values['left-capacity'], 0) }),
    });

    const started = performance.now();
    const input: Readable = values.input === '-' ? process.stdin : createReadStream(values.input);
    let named: NamedGraph;
    try {
      named = await readEdges(input, values.bipartite);
    } catch (err) {
      if (err instanceof EdgeCsvError) {
        process.stderr.write(`matchflow solve: ${values.input}: ${err.message}\n`);
        return EXIT.failed;
      }
      throw err;
    }
    let pairs: Pairs;
    try {
      pairs = runStrategy(strategy, named.graph, opts);
    } catch (err) {
      if (err instanceof UnsupportedGraphError) throw new UsageError(`${err.message} (add --bipartite if the columns are two sides)`);
      throw err;
    }
    const out: Writable = values.output ? createWriteStream(values.output) : process.stdout;
    await writePairs(out, pairs, named);
    const g = named.graph;
    const nodes = g.bipartite ? `${g.nLeft} left + ${g.nRight} right nodes` : `${g.n} nodes`;
    process.stderr.write(
      `${strategy}: ${nodes}, ${g.left.length} edges → ${pairs.left.length} pairs, total score ${totalScore(pairs)} ` +
        `(${((performance.now() - started) / 1000).toFixed(2)} s)\n`,
    );
    return EXIT.ok;
  },
};

function positiveInt(flag: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ≥ ${min} (got '${raw}')`);
  return n;
}

/** Writes `left,right,score` rows in chunks of about a mebibyte. */
async function writePairs(out: Writable, p: Pairs, named: NamedGraph): Promise<void> {
  const chunkChars = 1 << 20;
  let buf = 'left,right,score\n';
  for (let t = 0; t < p.left.length; t++) {
    buf += `${csvField(named.leftNames[p.left[t]])},${csvField(named.rightNames[p.right[t]])},${p.score[t]}\n`;
    if (buf.length >= chunkChars) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  if (out === process.stdout) {
    if (!out.write(buf)) await once(out, 'drain');
    return;
  }
  out.end(buf);
  await once(out, 'finish');
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
