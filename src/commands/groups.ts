// `matchflow groups apply|list|show`: group settings as a declarative YAML file.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { applyGroups, type ApplyReport, type GroupOutcome } from '../groups/applyGroups.ts';
import { CatalogError } from '../groups/catalog.ts';
import { readGroupDocument } from '../groups/groupDocument.ts';
import { groupsFileText, GroupsFileError, readGroupsFile } from '../groups/groupsFile.ts';
import { listGroups, type GroupListRow, type LastRunView } from '../groups/groupList.ts';
import { GroupSettingsError } from '../groups/groupSpec.ts';
import { config } from '../shared/config.ts';
import { createPool, type Pool } from '../shared/db.ts';
import { EXIT, UsageError, type Command } from './command.ts';
import { findGroup } from './findGroup.ts';
import { checkServices } from './preflight.ts';

const HELP = `Usage: matchflow groups apply FILE.yaml [--dry-run]
       matchflow groups list [--domain D] [--json]
       matchflow groups show --group G [--domain D]

apply   creates the domains and groups of the file that are missing and updates the groups whose
        settings differ, in one transaction: a file with an error anywhere changes nothing. A second
        apply of the same file changes nothing and says so; groups that are not in the file are left
        alone. --dry-run prints the changes and writes nothing. A change of a group's scoring settings
        makes its next potential cycle a full recompute (apply says so). Errors name the line:
          groups.yaml:14: topK must be a positive integer (domain demo, group people)
list    one line per group: domain, group, match type, candidate strategy, nodes, last potential and
        perfect runs (--json: the same as JSON)
show    the group's effective settings, every default filled in, as a file that apply accepts

The file (docs/configuration.md, "Group settings"; examples/groups.yaml):
  domains:
    demo:
      groups:
        people:
          matchType: SYMMETRIC        # or BIPARTITE
          strategy: metadata          # flat | metadata | bipartite
          topK: 50
          scorer: { name: metadata-compatibility, weights: { skills: 2 }, numericTolerance: 0.5 }
          lsh: { tables: 5, bandsPerTable: 20, similarityThreshold: 0.55 }
          perfect: { algorithm: blossom }

Exit codes: 0 done, 1 the file does not validate (nothing written) or cannot be read, 2 usage error,
3 PostgreSQL unreachable.`;

export const groupsCommand: Command = {
  name: 'groups',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false }, domain: { type: 'string' }, group: { type: 'string' }, json: { type: 'boolean', default: false },
      },
    });
    const [action, ...rest] = positionals;
    if (action === 'apply') {
      if (rest.length !== 1) throw new UsageError('name one groups file: matchflow groups apply FILE.yaml');
      return withPool((pool) => apply(pool, rest[0], values['dry-run']!));
    }
    if (action === 'list') {
      if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
      return withPool((pool) => list(pool, values.domain, values.json!));
    }
    if (action === 'show') {
      if (!values.group) throw new UsageError('--group is required');
      return withPool((pool) => showGroup(pool, values.group!, values.domain));
    }
    throw new UsageError('name an action: apply, list or show');
  },
};

async function withPool(fn: (pool: Pool) => Promise<number>): Promise<number> {
  const cfg = config();
  if (!(await checkServices(cfg, { redis: false }))) return EXIT.unavailable;
  const pool = createPool(cfg, { max: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function apply(pool: Pool, file: string, dryRun: boolean): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    process.stderr.write(`matchflow groups: cannot read ${file}: ${(err as Error).message}\n`);
    return EXIT.failed;
  }
  let entries;
  try {
    entries = readGroupsFile(text, basename(file));
  } catch (err) {
    if (!(err instanceof GroupsFileError)) throw err;
    process.stderr.write(`${err.message}\nnothing was changed\n`);
    return EXIT.failed;
  }
  let report;
  try {
    report = await applyGroups(config(), pool, entries, { dryRun });
  } catch (err) {
    if (!(err instanceof CatalogError)) throw err;
    process.stderr.write(`${err.message}\nnothing was changed\n`);
    return EXIT.failed;
  }
  process.stdout.write(applyReportText(report, basename(file)));
  return EXIT.ok;
}

function outcomeLines(g: GroupOutcome): string[] {
  const lines = [`  ${g.group}: ${g.action}${g.storedProblem ? ` (its stored settings did not validate: ${g.storedProblem})` : ''}`];
  for (const c of g.changes) lines.push(g.action === 'created' ? `      ${c.field}: ${c.to}` : `      ${c.field}: ${c.from} → ${c.to}`);
  if (g.fullRecompute) lines.push('      its scoring settings changed: the next potential cycle recomputes the group in full');
  return lines;
}

export function applyReportText(report: ApplyReport, file: string): string {
  const count = (a: GroupOutcome['action']) => report.groups.filter((g) => g.action === a).length;
  const changed = report.groups.length - count('unchanged');
  const would = report.dryRun ? 'would be ' : '';
  if (changed === 0) return `nothing changed: the ${report.groups.length} group(s) of ${file} are as it says\n`;
  const lines: string[] = [];
  const domains = [...new Set(report.groups.map((g) => g.domain))];
  for (const d of domains) {
    const created = report.groups.some((g) => g.domain === d && g.domainCreated);
    lines.push(`domain ${d}${created ? ` (${would}created)` : ''}`);
    for (const g of report.groups.filter((x) => x.domain === d)) lines.push(...outcomeLines(g));
  }
  lines.push(`${count('created')} ${would}created, ${count('updated')} ${would}updated, ${count('unchanged')} unchanged`);
  if (report.dryRun) lines.push('dry run: nothing was written');
  return lines.join('\n') + '\n';
}

const time = (d: Date | null): string => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

function runText(r: LastRunView | null, what: string): string {
  if (!r) return 'never';
  return `${r.status ?? '–'} ${time(r.finishedAt ?? r.startedAt)}${r.count === null ? '' : ` (${r.count} ${what})`}`;
}

export function groupsTable(rows: GroupListRow[]): string {
  const head = ['domain', 'group', 'type', 'strategy', 'nodes', 'last potential run', 'last perfect run'];
  const body = rows.map((r) => [r.domain, r.group, r.matchType, r.strategy ?? `invalid: ${r.settingsProblem}`, String(r.nodes),
    runText(r.potential, 'edges'), runText(r.perfect, 'pairs')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

async function list(pool: Pool, domain: string | undefined, json: boolean): Promise<number> {
  const rows = await listGroups(pool, domain);
  if (json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else if (rows.length === 0) process.stdout.write(domain ? `no groups in domain '${domain}'\n` : 'no groups yet: matchflow groups apply FILE.yaml\n');
  else process.stdout.write(groupsTable(rows));
  return EXIT.ok;
}

async function showGroup(pool: Pool, groupName: string, domain: string | undefined): Promise<number> {
  const group = await findGroup(pool, groupName, domain);
  const { rows } = await pool.query<{ name: string }>('SELECT name FROM domains WHERE id = $1', [group.domainId]);
  try {
    const { effective } = await readGroupDocument(config(), pool, group);
    const comment = `effective settings of group ${group.name} (domain ${rows[0].name}), every default filled in;\n`
      + '`matchflow groups apply` accepts this file';
    process.stdout.write(groupsFileText([{ domain: rows[0].name, group: group.name, spec: effective }], comment));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof GroupSettingsError)) throw err;
    process.stderr.write(`group ${group.name}: its stored settings do not validate: ${err.message}\n`);
    return EXIT.failed;
  }
}
