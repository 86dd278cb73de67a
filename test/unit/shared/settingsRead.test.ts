// A setting nothing reads is a bug: the configuration table promises it does something. Every
// name in SETTINGS must appear in code (comments stripped) outside src/shared/config.ts.
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../../src/shared/config.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CODE = ['src', 'dashboard', 'bin'];
const CONFIG = join('src', 'shared', 'config.ts');

async function codeFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) out.push(...await codeFiles(rel));
    else if (/\.(ts|js)$/.test(e.name) && rel !== CONFIG) out.push(rel);
  }
  return out;
}

/** The code without its comments (line and block), so that a name mentioned in prose does not count as read. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

describe('settings', () => {
  it('every setting in SETTINGS is read somewhere outside config.ts', async () => {
    const files = (await Promise.all(CODE.map(codeFiles))).flat();
    const code = (await Promise.all(files.map((f) => readFile(join(ROOT, f), 'utf8')))).map(withoutComments).join('\n');
    const unread = Object.entries(SETTINGS)
      .filter(([name]) => !new RegExp(`(?<![\\w$])${name}(?![\\w$])`).test(code))
      .map(([name, s]) => `${s.env} (${name})`);
    expect(unread, 'settings that nothing reads: implement them or remove them from SETTINGS').to.deep.equal([]);
  });
});
