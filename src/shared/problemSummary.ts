// Reports of what is wrong with a request, bounded: a hostile request with 90,000 bad fields must
// not turn into an error answer, a log line or a DLQ header larger than itself.

/** Problems reported one by one; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 10;
/** Longest single problem reported (a problem may quote a field name of the request). */
const MAX_PROBLEM_CHARS = 200;

export interface ProblemSummary {
  /** the first MAX_REPORTED_PROBLEMS problems, each cut to MAX_PROBLEM_CHARS */
  shown: string[];
  /** how many problems there were */
  total: number;
  /** the shown ones joined with '; ', and how many more there were */
  text: string;
}

export function summarizeProblems(problems: readonly string[], max = MAX_REPORTED_PROBLEMS): ProblemSummary {
  const shown = problems.slice(0, max).map((p) => (p.length > MAX_PROBLEM_CHARS ? `${p.slice(0, MAX_PROBLEM_CHARS - 1)}…` : p));
  const more = problems.length - shown.length;
  const text = shown.join('; ') + (more > 0 ? `; and ${more} more (${problems.length} problems in all)` : '');
  return { shown, total: problems.length, text };
}

/** `text` cut to at most `maxBytes` bytes of UTF-8, on a character boundary, marked with '…' when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  const budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > budget) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end) + ellipsis;
}

/** A name taken from a request, quoted for a message: cut short, and with invisible characters shown as \u{…} escapes. */
export function quoted(name: string, maxChars = 40): string {
  const cut = name.length > maxChars ? `${name.slice(0, maxChars - 1)}…` : name;
  return `'${cut.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)}'`;
}
