// Keeps the README's configuration table equal to SETTINGS (`matchflow config --write-readme`).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { settingsMarkdown } from '../shared/config.ts';

export const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const START = '<!-- config:start -->';
const END = '<!-- config:end -->';

export function withConfigTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README has no ${START} … ${END} section`);
  return `${readme.slice(0, a + START.length)}\n${settingsMarkdown()}\n${readme.slice(b)}`;
}

export async function writeReadmeConfig(path = README): Promise<boolean> {
  const before = await readFile(path, 'utf8');
  const after = withConfigTable(before);
  if (after !== before) await writeFile(path, after);
  return after !== before;
}
