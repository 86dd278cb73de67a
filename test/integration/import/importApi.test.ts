import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startApiServer } from '../../../src/producers/api.ts';
import { startImportTriggers, type ImportTriggers } from '../../../src/producers/importTriggers.ts';
import { createImportFixture, nodesOf, type ImportFixture } from '../../support/importFixture.ts';

const TOKEN = 'test-token-123';

describe('enqueue API: /v1/imports', () => {
  let fx: ImportFixture;
  let triggers: ImportTriggers;
  let base: string;
  before(async () => {
    fx = await createImportFixture('impapi', { apiTokens: [TOKEN, 'other-token'], apiPort: 0, httpBodyLimit: '2kb' });
    // What a producer process starts (no KAFKA_BROKERS here: the API alone).
    triggers = await startImportTriggers(fx.cfg, { pool: fx.t.pool });
    base = `http://127.0.0.1:${triggers.api.port}`;
    await fx.file('people.csv', 'reference_id,city\nh1,rome\nh2,oslo\n');
  });
  after(async () => {
    await triggers.close();
    await fx.close();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown>, headers: res.headers };
  };

  it('POST answers 202 with the import id; GET answers its status until COMPLETED', async () => {
    const r = await call('POST', '/v1/imports', { domainId: 'api-domain', groupId: 'api-group', filePath: 'people.csv', fileName: 'people.csv' });
    expect(r.status).to.equal(202);
    expect(r.body).to.include({ status: 'PENDING', created: true });
    const id = r.body.importJobId as string;
    expect(r.headers.get('location')).to.equal(`/v1/imports/${id}`);
    await fx.wait(id);
    const g = await call('GET', `/v1/imports/${id}`);
    expect(g.status).to.equal(200);
    expect(g.body).to.include({ importJobId: id, status: 'COMPLETED', total: 2, processed: 2, failed: 0, duplicates: 0, fileName: 'people.csv' });
    expect((await nodesOf(fx, g.body.groupId as string)).map((n) => n.reference_id)).to.deep.equal(['h1', 'h2']);
  });

  it('a NodeExchange with new UUIDs creates the domain and group under those ids; the same UUIDs find them', async () => {
    const domainId = randomUUID();
    const groupId = randomUUID();
    const a = await call('POST', '/v1/imports', { domainId, groupId, referenceIds: ['u1', 'u2'] });
    expect(a.status, JSON.stringify(a.body)).to.equal(202);
    expect(a.body).to.include({ domainId, groupId, created: true });
    expect((await fx.wait(a.body.importJobId as string)).status).to.equal('COMPLETED');
    const b = await call('POST', '/v1/imports', { domainId, groupId, referenceIds: ['u3'] });
    expect(b.status).to.equal(202);
    expect(b.body).to.include({ domainId, groupId });
    await fx.wait(b.body.importJobId as string);
    expect((await nodesOf(fx, groupId)).map((n) => n.reference_id)).to.deep.equal(['u1', 'u2', 'u3']);
    const elsewhere = await call('POST', '/v1/imports', { domainId: randomUUID(), groupId, referenceIds: ['u4'] });
    expect(elsewhere.status).to.equal(400);
    expect(elsewhere.body).to.include({ code: 'invalid_group' });
    expect(elsewhere.body.message).to.match(new RegExp(`^group ${groupId} belongs to domain ${domainId}, not to domain `));
  });

  it('the same Idempotency-Key yields one import', async () => {
    const body = { domainId: 'api-domain', groupId: 'api-group', referenceIds: ['k1', 'k2'] };
    const a = await call('POST', '/v1/imports', body, { 'idempotency-key': 'abc' });
    const b = await call('POST', '/v1/imports', body, { 'idempotency-key': 'abc' });
    expect([a.status, b.status]).to.deep.equal([202, 202]);
    expect(b.body.importJobId).to.equal(a.body.importJobId);
    expect([a.body.created, b.body.created]).to.deep.equal([true, false]);
  });

  it('an Idempotency-Key counts per token, domain and group; reused with a different body it is a 409', async () => {
    const body = { domainId: 'api-domain', groupId: 'scoped', referenceIds: ['s1'] };
    const key = { 'idempotency-key': 'shared-key' };
    const a = await call('POST', '/v1/imports', body, key);
    const again = await call('POST', '/v1/imports', body, key);
    const otherClient = await call('POST', '/v1/imports', body, { ...key, authorization: 'Bearer other-token' });
    const otherGroup = await call('POST', '/v1/imports', { ...body, groupId: 'scoped-2' }, key);
    const otherDomain = await call('POST', '/v1/imports', { ...body, domainId: 'api-domain-2' }, key);
    expect([a, again, otherClient, otherGroup, otherDomain].map((r) => r.status)).to.deep.equal([202, 202, 202, 202, 202]);
    expect(again.body).to.include({ importJobId: a.body.importJobId, created: false });
    for (const r of [otherClient, otherGroup, otherDomain]) {
      expect(r.body.created).to.equal(true);
      expect(r.body.importJobId).not.to.equal(a.body.importJobId);
    }
    await Promise.all([a, otherClient, otherGroup, otherDomain].map((r) => fx.wait(r.body.importJobId as string)));
    const changed = await call('POST', '/v1/imports', { ...body, referenceIds: ['s1', 's2'] }, key);
    expect(changed.status).to.equal(409);
    expect(changed.body.code).to.equal('idempotency_key_reused');
    const viaBody = await call('POST', '/v1/imports', { ...body, requestId: 'shared-key' });
    expect(viaBody.body, 'the key may come in the body too').to.include({ importJobId: a.body.importJobId, created: false });
  });

  it('answers JSON errors with a code and a message', async () => {
    const cases: Array<[Promise<{ status: number; body: Record<string, unknown> }>, number, string, RegExp]> = [
      [call('POST', '/v1/imports', { domainId: 'd' }, { authorization: '' }), 401, 'unauthorized', /missing bearer token/],
      [call('POST', '/v1/imports', { domainId: 'd' }, { authorization: 'Bearer nope' }), 401, 'unauthorized', /invalid bearer token/],
      [call('GET', '/v1/imports/00000000-0000-0000-0000-000000000000', undefined, { authorization: 'Basic eDp5' }), 401, 'unauthorized', /bearer/],
      [call('POST', '/v1/imports', '{"domainId": ', {}), 400, 'invalid_json', /not valid JSON/],
      [call('POST', '/v1/imports', { domainId: 'd', groupId: 7, filePath: 'x', junk: 1 }), 400, 'invalid_request',
        /'groupId' must be a string; unknown field|unknown field 'junk'/],
      [call('POST', '/v1/imports', { domainId: 'd', groupId: 'g' }), 400, 'invalid_request', /exactly one of 'filePath' and 'referenceIds'/],
      [call('POST', '/v1/imports', { domainId: 'd', groupId: 'g', filePath: '../../etc/passwd' }), 400, 'path_outside_root', /outside the import root/],
      [call('POST', '/v1/imports', { domainId: 'd', groupId: 'g', referenceIds: Array.from({ length: 500 }, (_, i) => `r${i}`) }), 413, 'payload_too_large',
        /larger than the limit \(2048 bytes\)/],
      [call('POST', '/v1/imports', 'domainId=d', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type', /application\/json/],
      [call('GET', '/v1/imports/not-a-uuid'), 400, 'invalid_id', /UUID/],
      [call('GET', '/v1/imports/00000000-0000-0000-0000-000000000000'), 404, 'not_found', /no import/],
      [call('GET', '/v1/nothing'), 404, 'not_found', /no route GET/],
    ];
    for (const [p, status, code, message] of cases) {
      const r = await p;
      expect(r.status, JSON.stringify(r.body)).to.equal(status);
      expect(r.body.code).to.equal(code);
      expect(r.body.message).to.match(message);
    }
  });

  it('without tokens, listens on 127.0.0.1 only, whatever NODE_ENV says', async () => {
    const open = await startApiServer({ ...fx.cfg, apiTokens: [], nodeEnv: 'production' }, { pool: fx.t.pool });
    try {
      expect(open.address).to.equal('127.0.0.1');
    } finally {
      await open.close();
    }
  });
});
