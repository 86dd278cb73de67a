import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRATEGY_NAMES, runStrategy } from '../../../src/matching/perfect/strategies.ts';
import { strategyOptionsFromConfig } from '../../../src/groups/groupSettings.ts';
import { totalScore } from '../../../src/matching/perfect/graph.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));

function solve(args: string[], stdin?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('timeout', ['60', process.execPath, CLI, 'solve', ...args]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin ?? '');
  });
}

describe('matchflow solve', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mf-solve-'));
    // A path a-b-c-d plus a weak chord: the best one-to-one pairing is a-b + c-d (1.8).
    await writeFile(join(dir, 'path.csv'), 'left,right,score\na,b,0.9\nb,c,0.8\nc,d,0.9\na,d,0.1\n');
    await writeFile(join(dir, 'sides.csv'), 'score,left,right,note\n0.9,m1,e1,x\n0.8,m1,e2,y\n0.7,m2,e1,z\n');
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('pairs an undirected graph with blossom, CSV on stdout, count and total on stderr', async () => {
    const r = await solve(['--strategy', 'blossom', '--input', join(dir, 'path.csv')]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.equal('left,right,score\na,b,0.9\nc,d,0.9\n');
    expect(r.err).to.match(/2 pairs, total score 1\.8\b/);
  });

  it('--bipartite treats the columns as two sides, finds columns by name and writes --output', async () => {
    const out = join(dir, 'pairs.csv');
    const r = await solve(['--strategy', 'assignment', '--bipartite', '--input', join(dir, 'sides.csv'), '--output', out]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.equal('');
    // m1-e2 + m2-e1 (1.5) beats m1-e1 alone (0.9).
    expect(await readFile(out, 'utf8')).to.equal('left,right,score\nm1,e2,0.8\nm2,e1,0.7\n');
    expect(r.err).to.match(/2 left \+ 2 right nodes, 3 edges → 2 pairs, total score 1\.5\b/);
  });

  it('reads standard input with --input - and agrees with the strategy run in process (300 random nodes)', async () => {
    const rnd = seededRandom(9);
    const rows = ['left,right,score'];
    const l: number[] = [], rr: number[] = [], s: number[] = [];
    for (let k = 0; k < 1500; k++) {
      const a = Math.floor(rnd() * 300);
      const b = (a + 1 + Math.floor(rnd() * 299)) % 300;
      const w = Math.round(rnd() * 1000) / 1000;
      rows.push(`n${a},n${b},${w}`);
      l.push(a); rr.push(b); s.push(w);
    }
    const r = await solve(['--strategy', 'blossom', '--input', '-'], rows.join('\n') + '\n');
    expect(r.code, r.err).to.equal(0);
    const expected = runStrategy('blossom', { bipartite: false, n: 300, left: Int32Array.from(l), right: Int32Array.from(rr), score: Float64Array.from(s) }, strategyOptionsFromConfig(loadConfig({})));
    const lines = r.out.trim().split('\n').slice(1);
    expect(lines.length).to.equal(expected.left.length);
    const total = lines.reduce((acc, line) => acc + Number(line.split(',')[2]), 0);
    expect(total).to.be.closeTo(totalScore(expected), 1e-9);
  });

  it('names the line of a bad record and exits 1', async () => {
    const bad = await solve(['--strategy', 'greedy', '--input', '-'], 'left,right,score\na,b,0.5\nb,c,high\n');
    expect(bad.code).to.equal(1);
    expect(bad.err).to.match(/line 3: score 'high' is not a finite number/);
    const short = await solve(['--strategy', 'greedy', '--input', '-'], 'left,right,score\na,b\n');
    expect(short.err).to.match(/line 2: 2 fields, the header has 3/);
    const header = await solve(['--strategy', 'greedy', '--input', '-'], 'from,to,score\na,b,1\n');
    expect(header.err).to.match(/line 1: the header must name the columns left, right and score/);
    const loop = await solve(['--strategy', 'greedy', '--input', '-'], 'left,right,score\na,a,1\n');
    expect(loop.err).to.match(/line 2: 'a' cannot pair with itself/);
  });

  it('usage errors exit 2; --help documents every strategy', async () => {
    expect((await solve(['--strategy', 'nope', '--input', '-'])).code).to.equal(2);
    expect((await solve(['--strategy', 'assignment', '--input', join(dir, 'path.csv')])).err).to.match(/needs a bipartite graph/);
    const help = await solve(['--help']);
    expect(help.code).to.equal(0);
    for (const name of STRATEGY_NAMES) expect(help.out).to.include(`  ${name} `);
  });
});
