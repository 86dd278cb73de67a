// The chaos suite's own servers work: a private PostgreSQL that restarts, a private Redis with
// AOF that keeps its data across a SIGKILL, and a proxy that cuts connections.
import { expect } from 'chai';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startPrivatePostgres } from '../support/chaos/privatePostgres.ts';
import { startPrivateRedis } from '../support/chaos/privateRedis.ts';
import { startTcpProxy } from '../support/chaos/tcpProxy.ts';

describe('chaos support servers', () => {
  it('a private PostgreSQL keeps committed rows across a restart', async () => {
    const server = await startPrivatePostgres();
    try {
      const c1 = new pg.Client(server.url);
      c1.on('error', () => undefined);
      await c1.connect();
      await c1.query('CREATE TABLE t (x int)');
      await c1.query('INSERT INTO t VALUES (1)');
      await c1.end();
      await server.restart('immediate');
      const c2 = new pg.Client(server.url);
      c2.on('error', () => undefined);
      await c2.connect();
      const { rows } = await c2.query('SELECT x FROM t');
      expect(rows).to.deep.equal([{ x: 1 }]);
      await c2.end();
    } finally {
      await server.stop();
    }
  });

  it('a private Redis with AOF keeps keys across SIGKILL, and a proxy cut drops connections', async () => {
    const server = await startPrivateRedis();
    const proxy = await startTcpProxy(server.port);
    const r = new Redis(proxy.port, '127.0.0.1', { maxRetriesPerRequest: null });
    r.on('error', () => undefined);
    try {
      await r.set('k', 'v');
      await server.restart();
      expect(await r.get('k')).to.equal('v');
      proxy.cut();
      let failed = false;
      await Promise.race([r.get('k'), new Promise((_, rej) => setTimeout(() => rej(new Error('t')), 500))]).catch(() => (failed = true));
      expect(failed).to.equal(true);
      proxy.restore();
      expect(await r.get('k')).to.equal('v');
    } finally {
      r.disconnect();
      await proxy.close();
      await server.stop();
    }
  });
});
