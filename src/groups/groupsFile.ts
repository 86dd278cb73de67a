// The groups file that `matchflow groups apply` reads: domains and their groups, each group a
// settings document (groupSpec.ts).
//
//   domains:
//     demo-mentoring:
//       groups:
//         peer-circles:
//           matchType: SYMMETRIC
//           strategy: metadata
//
// Parsed with the `yaml` package, whose nodes keep their offsets in the text: every problem is
// reported as `file:line: what is wrong`, the line being that of the field at fault.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { GroupSettingsError, readGroupSpec, type FieldPath, type GroupSpec } from './groupSpec.ts';

export interface GroupEntry {
  domain: string;
  group: string;
  spec: GroupSpec;
  /** line of the group's name in the file */
  line: number;
}

/** A file that does not validate: one `file:line: problem` per group at fault (or per syntax error). */
export class GroupsFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const NAME_MAX = 255;

/** Line (1-based) of the key or item at `path`, or of the deepest part of the path the file has. */
function lineOf(doc: Document, lines: LineCounter, path: FieldPath): number {
  const lineAt = (n: unknown): number | undefined => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  let node: unknown = doc.contents;
  let line = lineAt(node) ?? 1;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(step));
      if (!pair) break;
      line = lineAt(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      node = node.items[step];
      line = lineAt(node) ?? line;
    } else break;
  }
  return line;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The groups of a groups file; throws GroupsFileError listing what is wrong. */
export function readGroupsFile(text: string, fileName: string): GroupEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) throw new GroupsFileError(doc.errors.map((e) => `${fileName}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`));
  const at = (path: FieldPath, problem: string) => `${fileName}:${lineOf(doc, lines, path)}: ${problem}`;
  const root: unknown = doc.toJS();
  if (!isMapping(root) || !isMapping(root.domains)) throw new GroupsFileError([at([], "the file must be a mapping with 'domains' (domain name → groups)")]);
  const problems: string[] = [];
  for (const k of Object.keys(root)) if (k !== 'domains') problems.push(at([k], `'${k}' is not known here (the file holds 'domains')`));
  const out: GroupEntry[] = [];
  for (const [domain, d] of Object.entries(root.domains)) {
    const dPath = ['domains', domain];
    if (domain.trim() === '' || domain.length > NAME_MAX) problems.push(at(dPath, `a domain name has 1 to ${NAME_MAX} characters`));
    if (!isMapping(d) || !isMapping(d.groups)) {
      problems.push(at(dPath, `domain ${domain} must be a mapping with 'groups' (group name → settings)`));
      continue;
    }
    for (const k of Object.keys(d)) if (k !== 'groups') problems.push(at([...dPath, k], `'${k}' is not known here (a domain holds 'groups')`));
    for (const [group, raw] of Object.entries(d.groups)) {
      const gPath = [...dPath, 'groups', group];
      if (group.trim() === '' || group.length > NAME_MAX) {
        problems.push(at(gPath, `a group name has 1 to ${NAME_MAX} characters`));
        continue;
      }
      try {
        out.push({ domain, group, spec: readGroupSpec(raw), line: lineOf(doc, lines, gPath) });
      } catch (err) {
        if (!(err instanceof GroupSettingsError)) throw err;
        problems.push(at([...gPath, ...err.path], `${err.message} (domain ${domain}, group ${group})`));
      }
    }
  }
  if (problems.length) throw new GroupsFileError(problems);
  return out;
}

/** A groups file holding these groups, as YAML that readGroupsFile accepts. */
export function groupsFileText(entries: Array<Pick<GroupEntry, 'domain' | 'group' | 'spec'>>, comment?: string): string {
  const domains: Record<string, { groups: Record<string, GroupSpec> }> = {};
  for (const e of entries) (domains[e.domain] ??= { groups: {} }).groups[e.group] = e.spec;
  const body = stringify({ domains }, { lineWidth: 0 });
  return comment ? `${comment.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}` : body;
}
