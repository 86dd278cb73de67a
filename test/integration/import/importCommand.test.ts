import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { renderProgress } from '../../../src/commands/importProgress.ts';
import { createImportFixture, nodesOf, type ImportFixture } from '../../support/importFixture.ts';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));

function cli(fx: ImportFixture, args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('timeout', ['60', process.execPath, CLI, 'import', ...args], { cwd, env: { ...fx.t.env, IMPORT_ROOT: fx.root } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('matchflow import', () => {
  let fx: ImportFixture;
  before(async () => {
    fx = await createImportFixture('impcli');
    await mkdir(join(fx.root, 'in'));
    await writeFile(join(fx.root, 'in', 'people.csv.gz'), gzipSync('reference_id,city\nc1,rome\nc2,oslo\n'));
    await writeFile(join(fx.root, 'in', 'bad.csv'), 'reference_id,city\nc3,rome\n,oslo\n');
  });
  after(async () => { await fx.close(); });

  it('--wait shows progress on stderr, prints the id on stdout, exits 0 when COMPLETED', async () => {
    const r = await cli(fx, ['in/people.csv.gz', '--domain', 'cli-domain', '--group', 'cli-group', '--type', 'PERSON', '--wait'], fx.root);
    expect(r.code, r.err).to.equal(0);
    const id = r.out.trim();
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(r.err).to.match(/\] 100%.*COMPLETED/);
    expect(r.err).to.match(/COMPLETED: 2 rows read, 2 nodes written, 0 rejected/);
    const job = await fx.wait(id);
    const nodes = await nodesOf(fx, job.groupId);
    expect(nodes.map((n) => [n.reference_id, n.type])).to.deep.equal([['c1', 'PERSON'], ['c2', 'PERSON']]);
    expect(job.source).to.equal('in/people.csv.gz');
  });

  it('a domain and a group named by new UUIDs are created with those ids; the same UUIDs find them again', async () => {
    const domain = randomUUID();
    const group = randomUUID();
    const first = await cli(fx, ['in/people.csv.gz', '--domain', domain, '--group', group, '--wait'], fx.root);
    expect(first.code, first.err).to.equal(0);
    const job = await fx.wait(first.out.trim());
    expect([job.status, job.domainId, job.groupId]).to.deep.equal(['COMPLETED', domain, group]);
    // existing now; upper case is the same UUID
    const again = await cli(fx, ['in/people.csv.gz', '--domain', domain.toUpperCase(), '--group', group.toUpperCase(), '--wait'], fx.root);
    expect(again.code, again.err).to.equal(0);
    const second = await fx.wait(again.out.trim());
    expect([second.status, second.domainId, second.groupId]).to.deep.equal(['COMPLETED', domain, group]);
    expect((await nodesOf(fx, group)).map((n) => n.reference_id)).to.deep.equal(['c1', 'c2']);
  });

  it('a group UUID of another domain: one line and exit 1, no stack trace', async () => {
    const group = randomUUID();
    expect((await cli(fx, ['in/people.csv.gz', '--domain', randomUUID(), '--group', group], fx.root)).code).to.equal(0);
    const other = randomUUID();
    const r = await cli(fx, ['in/people.csv.gz', '--domain', other, '--group', group], fx.root);
    expect(r.code).to.equal(1);
    expect(r.err).to.match(new RegExp(`^matchflow import: group ${group} belongs to domain [0-9a-f-]{36}, not to domain ${other}\n$`));
  });

  it('input the database refuses (a name longer than its column): one line and exit 1, no stack trace', async () => {
    const r = await cli(fx, ['in/people.csv.gz', '--domain', 'd'.repeat(300), '--group', 'g'], fx.root);
    expect(r.code).to.equal(1);
    expect(r.err).to.equal('matchflow import: error: value too long for type character varying(255)\n');
  });

  it('exits 1 when the import FAILED, with the reason', async () => {
    const r = await cli(fx, ['bad.csv', '--domain', 'cli-domain', '--group', 'cli-group', '--wait'], join(fx.root, 'in'));
    expect(r.code).to.equal(1);
    expect(r.err).to.match(/FAILED: 2 rows read, 1 nodes written, 1 rejected/);
    expect(r.err).to.match(/reason: 1 of 2 rows rejected/);
  });

  it('refuses a file outside the import root and a missing option', async () => {
    const outside = await cli(fx, ['/etc/hostname', '--domain', 'd', '--group', 'g'], fx.root);
    expect(outside.code).to.equal(1);
    expect(outside.err).to.match(/outside the import root/);
    const usage = await cli(fx, ['in/people.csv.gz', '--group', 'g'], fx.root);
    expect(usage.code).to.equal(2);
    expect(usage.err).to.match(/--domain and --group are required/);
  });

  it('draws a progress bar', () => {
    expect(renderProgress({ percent: 50, rows: 123456, rowsPerSecond: 41000.4, label: 'PROCESSING' }, 10))
      .to.equal('[█████·····]  50%  123,456 rows  41,000 rows/s  PROCESSING');
  });
});
