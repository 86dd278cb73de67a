// `matchflow explain --domain D --group G REF_A REF_B [--json]`: a pair's score key by key.
import { parseArgs } from 'node:util';
import { explainPair, ExplainError, RULE_TEXT, type ListPlace, type PairExplanationView } from '../potential/explainPair.ts';
import { GroupSettingsError } from '../groups/groupSpec.ts';
import { config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import { EXIT, UsageError, type Command } from './command.ts';
import { findGroup } from './findGroup.ts';
import { checkServices } from './preflight.ts';

export const explainCommand: Command = {
  name: 'explain',
  help: `Usage: matchflow explain --group G [--domain D] [--json] REF_A REF_B

Scores the pair with the group's own scorer and settings, as a potential cycle does, and prints
per metadata key both values, the rule that applied (exact, numeric within / outside the tolerance,
partial, shared list item, none, only one node has the key), the key's weight and what it adds to
the score; then the total, the score stored in potential_matches (equal to the total bit for bit
while neither node nor the settings changed since the last cycle), where each node ranks the other
in its stored top-K (or reserve), and whether the perfect stage chose the pair.

Options:
  --group G    group id, or name (then --domain is needed unless the name is unique)
  --domain D   domain id or name
  --json       the explanation as JSON

Exit codes: 0 explained, 1 a node is not in the group or the group's settings do not validate,
2 usage error, 3 PostgreSQL unreachable.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, options: { group: { type: 'string' }, domain: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (!values.group) throw new UsageError('--group is required');
    if (positionals.length !== 2) throw new UsageError('name two reference ids: REF_A REF_B');
    const cfg = config();
    if (!(await checkServices(cfg, { redis: false }))) return EXIT.unavailable;
    const pool = createPool(cfg, { max: 2 });
    try {
      const group = await findGroup(pool, values.group, values.domain);
      const view = await explainPair(cfg, pool, group, positionals[0], positionals[1]);
      process.stdout.write(values.json ? JSON.stringify(view, null, 2) + '\n' : explanationText(view));
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof ExplainError || err instanceof GroupSettingsError)) throw err;
      process.stderr.write(`matchflow explain: ${err.message}\n`);
      return EXIT.failed;
    } finally {
      await pool.end();
    }
  },
};


const round = (x: number): string => String(Math.round(x * 10000) / 10000);
const clip = (s: string | null, n: number): string => (s === null ? '–' : s.length > n ? `${s.slice(0, n - 1)}…` : s);

function placeText(of: string, other: string, p: ListPlace): string {
  if (p.rank === null) {
    if (p.listLength === null) return `${of} has no stored list (no completed cycle scored it)`;
    return `${other} is not in ${of}'s stored list (${p.listLength} entries${p.exhaustive ? ', every candidate above the threshold' : ''})`;
  }
  return p.inTopK ? `${other} is #${p.rank} in ${of}'s top-${p.k}` : `${other} is #${p.rank} in ${of}'s list: in its reserve, beyond its top-${p.k}`;
}

export function explanationText(v: PairExplanationView): string {
  const head = ['key', 'A', 'B', 'rule', 'weight', 'share', 'adds'];
  const rows = v.keys.map((k) => [k.key, clip(k.a, 24), clip(k.b, 24), RULE_TEXT[k.rule], String(k.weight), round(k.share), round(k.contribution)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([4, 5, 6]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [
    `A = ${v.a}, B = ${v.b} in group ${v.group} (${v.matchType}), scorer ${v.scorer}`,
    '',
    line(head),
    ...rows.map(line),
    '',
    `score      ${v.score}   (matched weight ${round(v.matched)} of ${round(v.union)}; `
      + `kept above ${v.threshold}${v.score > v.threshold ? '' : ': this pair is not kept'})`,
  ];
  const stored = [v.places.a.storedScore, v.places.b.storedScore].filter((s) => s !== null);
  if (stored.length === 0) out.push('stored     no potential_matches row of this pair');
  else out.push(`stored     ${stored[0]}${v.storedEqual ? '   (equal to the score, bit for bit)' : '   (differs from the score: see below)'}`);
  out.push(`top-K      ${placeText('A', 'B', v.places.a)}`, `           ${placeText('B', 'A', v.places.b)}`);
  if (v.lshCandidates !== null) {
    out.push(`LSH        ${v.lshCandidates ? 'the two share a MinHash band: candidates' : 'no shared MinHash band: the metadata strategy never scores them'}`);
  }
  if (v.notScored) out.push(`note       ${v.notScored}`);
  out.push(`perfect    ${v.perfect.chosen ? `chosen${v.perfect.strategy ? ` by ${v.perfect.strategy}` : ''} (score ${v.perfect.score})` : 'not chosen'}`);
  for (const c of v.caveats) out.push(`caveat     ${c}`);
  return out.join('\n') + '\n';
}
