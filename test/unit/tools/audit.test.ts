// `npm run audit` (scripts/audit.js) against registries of the test's own: one that is not there,
// one that knows an advisory for a runtime dependency, one that knows none.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function audit(registry: string): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('timeout', ['120', process.execPath, 'scripts/audit.js'], {
      cwd: ROOT, env: { ...process.env, npm_config_registry: registry, npm_config_fetch_retries: '0', npm_config_audit_level: '' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (status) => resolve({ status, out }));
  });
}

/** A registry that answers the bulk advisory endpoint with `advisories(requested packages)`. */
async function registry(advisories: (asked: Record<string, string[]>) => object): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.endsWith('/-/npm/v1/security/advisories/bulk')) {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const wanted = JSON.parse(body.toString('utf8')) as Record<string, string[]>;
        asked.push(...Object.keys(wanted));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(advisories(wanted)));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    asked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('npm run audit', function () {
  this.timeout(180_000);

  it('says plainly that nothing was checked, and exits 0, when the advisory endpoint cannot be reached', async () => {
    const r = await audit('http://127.0.0.1:9/');
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.match(/advisory endpoint could not be reached \(.*ECONNREFUSED.*\)/).and.match(/NOT checked/);
  });

  it('fails naming the package when an advisory concerns a runtime dependency, and asks about runtime dependencies only', async () => {
    const reg = await registry((asked) => (asked.express ? {
      express: [{ id: 1, url: 'https://example.test/GHSA-test', title: 'Test advisory', severity: 'high', vulnerable_versions: '<99.0.0', cwe: [], cvss: {} }],
    } : {}));
    try {
      const r = await audit(reg.url);
      expect(r.status, r.out).to.equal(1);
      expect(r.out).to.match(/^high\s+express .*Test advisory/m).and.match(/npm audit: \d+ vulnerable runtime package/);
      expect(reg.asked).to.include('express').and.include('bullmq');
      expect(reg.asked, 'dev dependencies are not asked about').not.to.include('mocha');
    } finally {
      await reg.close();
    }
  });

  it('passes when no advisory concerns them', async () => {
    const reg = await registry(() => ({}));
    try {
      const r = await audit(reg.url);
      expect(r.status, r.out).to.equal(0);
      expect(r.out).to.match(/npm audit: 0 vulnerable runtime packages/);
    } finally {
      await reg.close();
    }
  });
});
