// matchflow as the Docker image holds it: bin/, the compiled dist/, migrations/ and the runtime
// dependencies only (no TypeScript sources, no tsx, no bench/). The demo runs every stage there,
// worker threads included, and speaks to a person: progress lines and a summary, no JSON logs.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** node_modules with every package but the dev dependencies (tsx and its esbuild among them). */
async function runtimeModules(into: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const dev = new Set([...Object.keys(pkg.devDependencies), 'esbuild', '@esbuild']);
  await mkdir(into);
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name.startsWith('.') || dev.has(name)) continue;
    if (!name.startsWith('@')) {
      await symlink(join(ROOT, 'node_modules', name), join(into, name));
      continue;
    }
    await mkdir(join(into, name));
    for (const sub of await readdir(join(ROOT, 'node_modules', name))) {
      if (!dev.has(`${name}/${sub}`)) await symlink(join(ROOT, 'node_modules', name, sub), join(into, name, sub));
    }
  }
}

function run(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('timeout', ['180', process.execPath, join(dir, 'bin/matchflow.js'), ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('the installed package (as in the Docker image)', function () {
  this.timeout(240_000);
  let dir: string;
  let t: TestEnv;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mf-installed-'));
    for (const part of ['bin', 'dist', 'migrations', 'package.json']) await cp(join(ROOT, part), join(dir, part), { recursive: true });
    await runtimeModules(join(dir, 'node_modules'));
    t = await createTestEnv('installed', { migrate: false });
    env = { ...t.env, IMPORT_ROOT: join(dir, 'imports') };
    delete env.LOG_LEVEL; // the demo's own default
  });
  after(async () => {
    await t?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs from dist/ without tsx: --help, and bench says it is not shipped here', async () => {
    const help = await run(dir, ['--help'], env);
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/Usage: matchflow <command>/);
    const bench = await run(dir, ['bench'], env);
    expect(bench.status).to.equal(2);
    expect(bench.stderr).to.match(/^matchflow bench: the benchmarks are not part of this installation.*npm run bench/);
    expect(bench.stderr.trim().split('\n')).to.have.length(1);
  });

  it('the demo runs every stage, logs nothing at info, and times each group\'s perfect job', async () => {
    const r = await run(dir, ['demo', '--nodes', '150', '--seed', '7'], env);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^migrated schema /m);
    expect(r.stdout).to.match(/demo finished in/);
    // no JSON log line on either stream: only warnings would be logged, and there are none
    expect(`${r.stdout}\n${r.stderr}`).to.not.match(/^\{"level"/m);
    expect(r.stderr).to.equal('');
    const rows = r.stdout.split('\n').filter((l) => /^(peer-circles|mentor-mentee) /.test(l));
    expect(rows).to.have.length(2);
    for (const row of rows) {
      const perfect = /perfect (\d+\.\d+)/.exec(row);
      expect(perfect, row).to.not.equal(null);
      expect(Number(perfect![1]), row).to.be.greaterThan(0);
    }
  });

  it('--verbose, or a LOG_LEVEL of the user\'s, brings the info logs back', async () => {
    const verbose = await run(dir, ['demo', '--nodes', '40', '--verbose'], env);
    expect(verbose.status, verbose.stderr).to.equal(0);
    expect(verbose.stderr).to.match(/^\{"level":30,.*"msg":"import finished"/m);
    const chosen = await run(dir, ['demo', '--nodes', '40'], { ...env, LOG_LEVEL: 'info' });
    expect(chosen.status, chosen.stderr).to.equal(0);
    expect(chosen.stderr).to.match(/"msg":"import finished"/);
  });
});
