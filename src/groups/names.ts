// Domain and group names end up on terminals, in logs and on the ops page: they must be text a
// person can read. Refused: control characters (terminal escape codes among them), format
// characters (zero-width spaces, bidirectional overrides), line and paragraph separators,
// surrogates, private-use and unassigned code points, and names that are blank.
const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

export type NamedThing = 'domain' | 'group';

/** Why `name` cannot name a domain or group, or null when it can. */
export function nameProblem(what: NamedThing, name: string): string | null {
  if (name.trim() === '') return `the ${what} name is blank`;
  const bad = NOT_PRINTABLE.exec(name);
  if (bad) {
    const code = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `the ${what} name may hold printable characters only (found ${code} at position ${bad.index + 1})`;
  }
  return null;
}

export class InvalidNameError extends Error {
  readonly code = 'name_invalid';
}

/** Throws InvalidNameError unless `name` is printable text. */
export function assertPrintableName(what: NamedThing, name: string): void {
  const problem = nameProblem(what, name);
  if (problem) throw new InvalidNameError(problem);
}
