// Authentication used to be off unless NODE_ENV was exactly `production`: NODE_ENV=Production
// without API_TOKENS started an API that took requests without a token on every interface. Now,
// whatever NODE_ENV says, a service without credentials listens on 127.0.0.1 only and says so;
// every interface without credentials takes AUTH_DISABLED=true.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { startDashboard } from '../../../dashboard/server.ts';
import { startApiServer } from '../../../src/producers/api.ts';
import { ConfigError, type Config } from '../../../src/shared/config.ts';
import { listenAddress } from '../../../src/shared/listenAddress.ts';
import { CLI } from '../../support/runCli.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { until } from '../../support/waitFor.ts';

const EVERY_INTERFACE = ['::', '0.0.0.0'];

describe('without credentials, services listen on the loopback interface only', function () {
  let t: TestEnv;
  before(async () => {
    t = await createTestEnv('authdef');
  });
  after(async () => {
    await t.cleanup();
  });

  const api = async (over: Partial<Config>) => {
    const s = await startApiServer({ ...t.cfg, apiPort: 0, ...over }, { pool: t.pool });
    await s.close();
    return s.address;
  };
  const dashboard = async (over: Partial<Config>) => {
    const d = await startDashboard({ ...t.cfg, ...over }, { port: 0 });
    await d.close();
    return d.address;
  };

  it('the enqueue API: 127.0.0.1 without tokens whatever NODE_ENV says; every interface with tokens or AUTH_DISABLED=true', async () => {
    for (const nodeEnv of ['Production', 'production', 'development', 'prod']) {
      expect(await api({ apiTokens: [], nodeEnv }), nodeEnv).to.equal('127.0.0.1');
    }
    expect(await api({ apiTokens: ['a-token'] })).to.be.oneOf(EVERY_INTERFACE);
    expect(await api({ apiTokens: [], authDisabled: true })).to.be.oneOf(EVERY_INTERFACE);
  });

  it('the dashboard: 127.0.0.1 without users whatever NODE_ENV says; every interface with users or AUTH_DISABLED=true', async () => {
    for (const nodeEnv of ['Production', 'development']) {
      expect(await dashboard({ dashboardUsers: [], nodeEnv }), nodeEnv).to.equal('127.0.0.1');
    }
    expect(await dashboard({ dashboardUsers: ['olga:pw:operator'] })).to.be.oneOf(EVERY_INTERFACE);
    expect(await dashboard({ dashboardUsers: [], authDisabled: true })).to.be.oneOf(EVERY_INTERFACE);
  });

  it('an address beyond the loopback interface without credentials is refused, naming what to set', () => {
    const ask = (requested: string, authDisabled = false) =>
      listenAddress({ service: 'the dashboard', credentialsSetting: 'DASHBOARD_USERS', hasCredentials: false, authDisabled, requested });
    expect(() => ask('0.0.0.0')).to.throw(ConfigError, /set DASHBOARD_USERS, or AUTH_DISABLED=true to listen on 0.0.0.0/);
    expect(() => ask('10.1.2.3')).to.throw(ConfigError);
    expect(ask('::1').host).to.equal('::1');
    expect(ask('0.0.0.0', true).host).to.equal('0.0.0.0');
  });

  it('`matchflow producer` with NODE_ENV=Production and no API_TOKENS says at start-up that it listens on 127.0.0.1 only', async () => {
    const child = spawn('timeout', ['60', process.execPath, CLI, 'producer', '--no-scheduler'], {
      env: { ...t.env, NODE_ENV: 'Production', API_TOKENS: '', API_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', KAFKA_BROKERS: '' },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await until('the producer to start', () => err.includes('producer started') || child.exitCode !== null);
      expect(err).to.match(/"msg":"API_TOKENS is empty: the enqueue API takes requests without credentials and listens on 127\.0\.0\.1 only/);
      expect(err).to.match(/"address":"127\.0\.0\.1"[^\n]*"msg":"enqueue API listening"/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
