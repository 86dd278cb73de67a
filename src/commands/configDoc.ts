// Keeps docs/configuration.md's table equal to SETTINGS (`matchflow config --write-docs`).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { settingsMarkdown } from '../shared/config.ts';
import { PACKAGE_ROOT } from '../shared/packageRoot.ts';

export const CONFIG_DOC = join(PACKAGE_ROOT, 'docs', 'configuration.md');
const START = '<!-- config:start -->';
const END = '<!-- config:end -->';

export function withConfigTable(doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/configuration.md has no ${START} … ${END} section`);
  return `${doc.slice(0, a + START.length)}\n${settingsMarkdown()}\n${doc.slice(b)}`;
}

export async function writeConfigDoc(path = CONFIG_DOC): Promise<boolean> {
  const before = await readFile(path, 'utf8');
  const after = withConfigTable(before);
  if (after !== before) await writeFile(path, after);
  return after !== before;
}
