// Removing people: `matchflow nodes remove` and DELETE on the enqueue API take a node, every
// potential and perfect match that names it and its participation history away in one transaction;
// an unknown reference id is a clear 404 / exit 1 and removes nothing.
import { expect } from 'chai';
import { startApiServer, type ApiServer } from '../../../src/producers/api.ts';
import { createImportFixture, nodesOf, type ImportFixture } from '../../support/importFixture.ts';
import { runCli } from '../../support/runCli.ts';

const TOKEN = 'remove-token';

describe('removing nodes from a group', function () {
  this.timeout(120000);
  let fx: ImportFixture;
  let api: ApiServer;
  let groupId: string;

  /** A group of five nodes with potential matches, a perfect pair and participation history. */
  before(async () => {
    fx = await createImportFixture('remove', { apiTokens: [TOKEN], apiPort: 0 });
    api = await startApiServer(fx.cfg, { pool: fx.t.pool });
    await fx.file('five.csv', 'reference_id,city\nr1,rome\nr2,rome\nr3,oslo\nr4,oslo\nr5,lima\n');
    const job = await fx.run({ source: { kind: 'file', path: 'five.csv' }, domain: 'rm-domain', group: 'rm-group' });
    groupId = job.groupId;
    const q = (sql: string) => fx.t.pool.query(sql, [groupId]);
    await q(`INSERT INTO potential_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
             SELECT $1, domain_id, 'c0', a.reference_id, b.reference_id, 0.5 FROM nodes a JOIN nodes b USING (group_id, domain_id)
             WHERE a.group_id = $1 AND a.reference_id <> b.reference_id`);
    await q(`INSERT INTO perfect_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
             SELECT $1, domain_id, 'c0', 'r1', 'r2', 0.5 FROM matching_groups WHERE id = $1`);
    await q(`UPDATE nodes SET processed = true WHERE group_id = $1`);
    await q(`INSERT INTO match_participation_history (node_id, group_id, domain_id, processing_cycle_id, participated_at)
             SELECT id, group_id, domain_id, 'c0', now() FROM nodes WHERE group_id = $1`);
  });
  after(async () => {
    await api?.close();
    await fx?.close();
  });

  const count = async (sql: string) => Number((await fx.t.pool.query(sql, [groupId])).rows[0].n);
  const names = async (ref: string) => count(
    `SELECT (SELECT count(*) FROM potential_matches WHERE group_id = $1 AND '${ref}' IN (reference_id, matched_reference_id))
          + (SELECT count(*) FROM perfect_matches WHERE group_id = $1 AND '${ref}' IN (reference_id, matched_reference_id))
          + (SELECT count(*) FROM match_participation_history h JOIN nodes n ON n.id = h.node_id WHERE n.group_id = $1 AND n.reference_id = '${ref}')
          + (SELECT count(*) FROM nodes WHERE group_id = $1 AND reference_id = '${ref}') AS n`);

  it('the CLI removes a node and everything that names it; its neighbours wait for the next cycle', async () => {
    expect(await names('r1')).to.be.greaterThan(0);
    const r = await runCli(['nodes', 'remove', '--domain', 'rm-domain', '--group', 'rm-group', 'r1'], fx.t.env);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/removed 1 node\(s\) from group rm-group with 1 perfect match\(es\); 4 node\(s\) lost a potential match/);
    expect(await names('r1')).to.equal(0);
    expect(await count('SELECT count(*) AS n FROM perfect_matches WHERE group_id = $1')).to.equal(0);
    expect(await count('SELECT count(*) AS n FROM nodes WHERE group_id = $1 AND NOT processed')).to.equal(4);
  });

  it('the CLI refuses an unknown reference id with exit 1, and removes nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM nodes WHERE group_id = $1');
    const r = await runCli(['nodes', 'remove', '--domain', 'rm-domain', '--group', 'rm-group', 'r2', 'nobody'], fx.t.env);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal('not in group rm-group: nobody; nothing was removed\n');
    expect(await count('SELECT count(*) AS n FROM nodes WHERE group_id = $1')).to.equal(before);
    const usage = await runCli(['nodes', 'remove', '--group', 'rm-group'], fx.t.env);
    expect(usage.status).to.equal(2);
  });

  it('DELETE /v1/domains/{d}/groups/{g}/nodes/{ref}: 200, then 404 for what is not there', async () => {
    const del = (path: string) => fetch(`http://127.0.0.1:${api.port}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    const ok = await del('/v1/domains/rm-domain/groups/rm-group/nodes/r3');
    expect(ok.status).to.equal(200);
    expect(await ok.json()).to.include({ removed: 'r3', groupId });
    expect(await names('r3')).to.equal(0);
    const again = await del('/v1/domains/rm-domain/groups/rm-group/nodes/r3');
    expect(again.status).to.equal(404);
    expect(await again.json()).to.deep.equal({ code: 'not_found', message: "no node 'r3' in group 'rm-group'" });
    expect((await del(`/v1/domains/rm-domain/groups/${groupId}/nodes/r4`)).status).to.equal(200);
    expect((await del('/v1/domains/rm-domain/groups/nope/nodes/r5')).status).to.equal(404);
    const unauthenticated = await fetch(`http://127.0.0.1:${api.port}/v1/domains/rm-domain/groups/rm-group/nodes/r5`, { method: 'DELETE' });
    expect(unauthenticated.status).to.equal(401);
    expect((await nodesOf(fx, groupId)).map((n) => n.reference_id)).to.deep.equal(['r2', 'r5']);
  });
});
