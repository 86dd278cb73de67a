#!/usr/bin/env node
// Compiles src/ and dashboard/ into dist/ (tsc -p tsconfig.build.json), which bin/matchflow.js runs.
// `npm ci` runs it (prepare), `npm test` and the test setup run it too: it rebuilds only when the
// sources differ from those dist/ was built from (a hash of their contents, kept in dist/), so
// that a stale dist/ never runs in place of the code under test.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const HASH_FILE = 'build-hash';
const SOURCES = ['src', 'dashboard'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.js'];

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

function typescriptCompiler() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

/** A hash of what dist/ is compiled from: the sources, the compiler settings and its version. */
function sourceHash(tsc) {
  const h = createHash('sha256');
  const paths = [...SOURCES.flatMap((d) => files(join(ROOT, d))), ...CONFIGS.map((f) => join(ROOT, f))].sort();
  for (const p of paths) h.update(relative(ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
  if (tsc) h.update(readFileSync(join(tsc, '../../package.json')));
  return h.digest('hex');
}

function builtHash() {
  try {
    return readFileSync(join(DIST, HASH_FILE), 'utf8').trim();
  } catch {
    return null;
  }
}

function main() {
  const tsc = typescriptCompiler();
  const hash = sourceHash(tsc);
  if (builtHash() === hash) return 0;
  if (!tsc) {
    process.stderr.write('matchflow build: TypeScript is not installed (dev dependencies left out?): run `npm ci` to build dist/\n');
    return existsSync(join(DIST, 'src/cli.js')) ? 0 : 1;
  }
  // Built aside and swapped in, so that a process starting meanwhile sees the old dist/ or the new.
  const next = join(ROOT, `dist.building-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', next], { stdio: 'inherit' });
  if (r.status !== 0) {
    rmSync(next, { recursive: true, force: true });
    process.stderr.write('matchflow build: tsc failed\n');
    return 1;
  }
  writeFileSync(join(next, HASH_FILE), `${hash}\n`);
  rmSync(DIST, { recursive: true, force: true });
  try {
    renameSync(next, DIST);
  } catch (err) {
    // another build swapped its dist/ in first: fine when it was built from the same sources
    rmSync(next, { recursive: true, force: true });
    if (builtHash() !== hash) throw err;
  }
  return 0;
}

process.exitCode = main();
