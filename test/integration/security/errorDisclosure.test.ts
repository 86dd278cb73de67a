// What an error tells a client about the server: the review saw resolved paths (`link_out
// resolves … to /etc/passwd, outside the import root /srv/…`) in GET /v1/imports/:id, IMPORT_ROOT
// named in 400 answers, and raw PostgreSQL and Redis errors from /readyz without a login. Clients
// get a message about their request; the rest goes to the log.
import { expect } from 'chai';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { startDashboard } from '../../../dashboard/server.ts';
import { startProbeServer } from '../../../src/ops/probeServer.ts';
import { startApiServer, type ApiServer } from '../../../src/producers/api.ts';
import { createImportFixture, type ImportFixture } from '../../support/importFixture.ts';

const TOKEN = 'disclosure-test-token';

describe('errors tell clients about their request, not about the server', function () {
  let fx: ImportFixture;
  let api: ApiServer;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
      method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
  };
  const noServerFacts = (text: string) => {
    for (const fact of [fx.root, '/etc/passwd', 'IMPORT_ROOT', 'S3_ENDPOINT', 'HTTP_BODY_LIMIT', '127.0.0.1:1', 'ECONNREFUSED']) {
      expect(text, `mentions ${fact}`).not.to.contain(fact);
    }
  };

  before(async () => {
    fx = await createImportFixture('disclose', { apiTokens: [TOKEN], apiPort: 0, s3Endpoint: 'http://127.0.0.1:1', maxRetries: 1, retryDelayMs: 10 });
    api = await startApiServer(fx.cfg, { pool: fx.t.pool });
    await symlink('/etc/passwd', join(fx.root, 'link_out'));
  });
  after(async () => {
    await api?.close();
    await fx?.close();
  });

  it('400 for a path outside the import root names neither the root nor the setting', async () => {
    for (const filePath of ['/etc/passwd', '../../etc/passwd']) {
      const r = await call('POST', '/v1/imports', { domainId: 'd', groupId: 'g', filePath });
      expect(r.status).to.equal(400);
      expect(r.body.code).to.equal('path_outside_root');
      expect(r.body.message).to.match(/is outside the import root$/);
      expect(r.text).not.to.contain(fx.root).and.not.to.contain('IMPORT_ROOT');
    }
  });

  it('GET /v1/imports/:id of an import through a symbolic link that points out does not say where it points', async () => {
    const r = await call('POST', '/v1/imports', { domainId: 'd', groupId: 'g', filePath: 'link_out' });
    expect(r.status).to.equal(202);
    await fx.wait(r.body.importJobId as string);
    const g = await call('GET', `/v1/imports/${r.body.importJobId}`);
    expect(g.body.status).to.equal('FAILED');
    expect(g.body.failureReason).to.equal("'link_out' is outside the import root");
    noServerFacts(g.text);
  });

  it('an import that fails for a server reason (the object store is down) gets a generic reason', async () => {
    const r = await call('POST', '/v1/imports', { domainId: 'd', groupId: 'g', filePath: 'http://127.0.0.1:1/bucket/key.csv' });
    expect(r.status).to.equal(202);
    await fx.wait(r.body.importJobId as string);
    const g = await call('GET', `/v1/imports/${r.body.importJobId}`);
    expect(g.body.status).to.equal('FAILED');
    expect(g.body.failureReason).to.match(/^the import failed on the server/);
    noServerFacts(g.body.failureReason as string);
  });

  it('400 for an object URL elsewhere does not name the object store', async () => {
    const r = await call('POST', '/v1/imports', { domainId: 'd', groupId: 'g', filePath: 'http://elsewhere.example/bucket/key.csv' });
    expect(r.status).to.equal(400);
    expect(r.body.code).to.equal('s3_host_not_allowed');
    noServerFacts(r.text);
  });

  it('413 does not name the setting', async () => {
    const r = await call('POST', '/v1/imports', { domainId: 'd', groupId: 'g', referenceIds: ['x'.repeat(2_000_000)] });
    expect(r.status).to.equal(413);
    noServerFacts(r.text);
  });

  it('/readyz of the dashboard and of the probe server says which dependency is down, not why', async () => {
    const cfg = { ...fx.cfg, databaseUrl: 'postgres://postgres@127.0.0.1:1/none', redisUrl: 'redis://127.0.0.1:1', healthCheckTimeoutMs: 300 };
    const dash = await startDashboard(cfg, { port: 0, host: '127.0.0.1' });
    const probes = await startProbeServer(cfg, { port: 0, host: '127.0.0.1' });
    try {
      for (const url of [`${dash.url}/readyz`, `${probes.url}/readyz`]) {
        const res = await fetch(url);
        const text = await res.text();
        expect(res.status, url).to.equal(503);
        expect(JSON.parse(text), url).to.deep.equal({ status: 'not ready', checks: { postgres: 'down', redis: 'down' } });
        noServerFacts(text);
      }
    } finally {
      await probes.close();
      await dash.close();
    }
  });
});
