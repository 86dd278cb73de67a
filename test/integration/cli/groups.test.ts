// `matchflow groups apply|list|show` as a user runs it (a separate process on a test schema): a
// file creates what is missing, a second apply says nothing changed, a dry run writes nothing,
// an invalid file names its line and changes nothing, and `show` prints a file apply accepts.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFingerprint, settingsOf } from '../../../src/groups/groupSettings.ts';
import { readGroupSpec } from '../../../src/groups/groupSpec.ts';
import { runCli } from '../../support/runCli.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

const FILE = `# two groups of one domain
domains:
  clinic:
    groups:
      peers:
        matchType: SYMMETRIC
        strategy: flat
        topK: 20
        scorer:
          weights: { city: 2 }
      mentoring:
        matchType: BIPARTITE
        partition: { key: role, left: [mentor], right: [mentee] }
        perfect: { algorithm: stable, rightCapacity: 2 }
`;

describe('matchflow groups', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let dir: string;
  const file = (name: string) => join(dir, name);
  const groupsCli = (...args: string[]) => runCli(['groups', ...args], env.env);
  const configOf = async (name: string) => (await env.pool.query(
    `SELECT g.match_type, c.algorithm_id, c.config_params FROM matching_groups g JOIN matching_configuration c ON c.group_id = g.id
      WHERE g.name = $1`, [name])).rows[0];

  before(async () => {
    env = await createTestEnv('grpcli');
    dir = await mkdtemp(join(tmpdir(), 'matchflow-groups-'));
    await writeFile(file('groups.yaml'), FILE);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  it('--dry-run prints what would be created and writes nothing', async () => {
    const r = await groupsCli('apply', file('groups.yaml'), '--dry-run');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('domain clinic (would be created)');
    expect(r.stdout).to.contain('  peers: created');
    expect(r.stdout).to.contain('2 would be created, 0 would be updated, 0 unchanged');
    expect(r.stdout).to.contain('dry run: nothing was written');
    expect((await env.pool.query('SELECT count(*)::int AS n FROM matching_groups')).rows[0].n).to.equal(0);
    expect((await env.pool.query('SELECT count(*)::int AS n FROM domains')).rows[0].n).to.equal(0);
  });

  it('apply creates the domain and its groups; a second apply changes nothing and says so', async () => {
    const r = await groupsCli('apply', file('groups.yaml'));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/domain clinic \(created\)\n {2}peers: created\n {6}matchType: SYMMETRIC\n {6}strategy: flat\n {6}topK: 20/);
    expect(await configOf('peers')).to.deep.equal({
      match_type: 'SYMMETRIC', algorithm_id: 'blossom', config_params: { candidateStrategy: 'flat', topK: 20, scorerOptions: { weights: { city: 2 } } },
    });
    expect(await configOf('mentoring')).to.deep.equal({
      match_type: 'BIPARTITE', algorithm_id: 'stable',
      config_params: { partitionKey: 'role', leftValues: ['mentor'], rightValues: ['mentee'], rightCapacity: 2 },
    });
    const again = await groupsCli('apply', file('groups.yaml'));
    expect(again.status).to.equal(0);
    expect(again.stdout).to.equal('nothing changed: the 2 group(s) of groups.yaml are as it says\n');
  });

  it('an update prints each changed field; a change of scoring settings after a completed cycle announces a full recompute', async () => {
    const { rows: [g] } = await env.pool.query(`SELECT id, domain_id FROM matching_groups WHERE name = 'peers'`);
    // the group's last completed cycle scored with the settings of the file
    const before = settingsOf(env.cfg, readGroupSpec({ matchType: 'SYMMETRIC', strategy: 'flat', topK: 20, scorer: { weights: { city: 2 } } }));
    await env.pool.query(
      `INSERT INTO last_run_potential_matches (group_id, domain_id, processing_cycle_id, status, settings_hash) VALUES ($1, $2, 'c1', 'COMPLETED', $3)`,
      [g.id, g.domain_id, settingsFingerprint(before)]);
    await writeFile(file('changed.yaml'), FILE.replace('topK: 20', 'topK: 30').replace('rightCapacity: 2', 'rightCapacity: 1'));
    const r = await groupsCli('apply', file('changed.yaml'));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('  peers: updated\n      topK: 20 → 30\n'
      + '      its scoring settings changed: the next potential cycle recomputes the group in full');
    expect(r.stdout).to.contain('  mentoring: updated\n      perfect.rightCapacity: 2 → 1\n');
    expect(r.stdout).not.to.match(/mentoring: updated\n.*\n.*recomputes/);
    expect(r.stdout).to.contain('0 created, 2 updated, 0 unchanged');
    expect((await configOf('peers')).config_params.topK).to.equal(30);
  });

  it('an invalid file names the line and field, and changes nothing, not even its valid groups', async () => {
    await writeFile(file('bad.yaml'), [
      'domains:',
      '  clinic:',
      '    groups:',
      '      newcomers:',
      '        matchType: SYMMETRIC',
      '      peers:',
      '        matchType: SYMMETRIC',
      '        strategy: flat',
      '        topK: many',
    ].join('\n'));
    const r = await groupsCli('apply', file('bad.yaml'));
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal('bad.yaml:9: topK must be a positive integer (domain clinic, group peers)\nnothing was changed\n');
    expect((await env.pool.query(`SELECT count(*)::int AS n FROM matching_groups WHERE name = 'newcomers'`)).rows[0].n).to.equal(0);
    expect((await configOf('peers')).config_params.topK).to.equal(30);
  });

  it('list shows a line per group; show prints the effective settings as a file that apply takes as it is', async () => {
    const l = await groupsCli('list', '--domain', 'clinic');
    expect(l.status, l.stderr).to.equal(0);
    const lines = l.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^domain\s+group\s+type\s+strategy\s+nodes\s+last potential run\s+last perfect run$/);
    expect(lines.slice(1).map((x) => x.split(/\s+/).slice(0, 5))).to.deep.equal([
      ['clinic', 'mentoring', 'BIPARTITE', 'bipartite', '0'],
      ['clinic', 'peers', 'SYMMETRIC', 'flat', '0'],
    ]);
    expect(lines[2]).to.match(/COMPLETED/);

    const s = await groupsCli('show', '--domain', 'clinic', '--group', 'mentoring');
    expect(s.status, s.stderr).to.equal(0);
    expect(s.stdout).to.match(/^# effective settings of group mentoring \(domain clinic\)/);
    for (const line of ['matchType: BIPARTITE', 'strategy: bipartite', `topK: ${env.cfg.topK}`, 'key: role', 'numericTolerance: 0.6',
      'algorithm: stable', 'leftCapacity: 1', 'rightCapacity: 1']) {
      expect(s.stdout).to.contain(line);
    }
    await writeFile(file('shown.yaml'), s.stdout);
    const back = await groupsCli('apply', file('shown.yaml'));
    expect(back.stdout).to.equal('nothing changed: the 1 group(s) of shown.yaml are as it says\n');
  });

  it('usage errors', async () => {
    expect((await groupsCli('apply')).status).to.equal(2);
    expect((await groupsCli('show', '--group', 'nope')).stderr).to.contain("no group 'nope'");
    expect((await groupsCli('apply', file('missing.yaml'))).stderr).to.match(/cannot read .*missing\.yaml/);
  });
});
