import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig, redactedConfig } from '../../../src/shared/config.ts';
import { CONFIG_DOC, withConfigTable } from '../../../src/commands/configDoc.ts';

describe('config', () => {
  it('has the seeds\' defaults', () => {
    const c = loadConfig({});
    expect(c.topK).to.equal(100);
    expect(c.maxConcurrentDomains).to.equal(2);
    expect(c.potentialCron).to.equal('0 5 11 * * *');
    expect(c.cronZone).to.equal('Asia/Kolkata');
    expect(c.lshNumTables).to.equal(5);
    expect(c.lshBandsPerTable).to.equal(20);
    expect(c.maxRetries).to.equal(3);
    expect(c.retryDelayMs).to.equal(1000);
  });

  it('reads overrides from the environment', () => {
    const c = loadConfig({ MATCHING_TOPK_COUNT: '7', KAFKA_BROKERS: 'a:9092, b:9092', DB_SCHEMA: 'x1' });
    expect(c.topK).to.equal(7);
    expect(c.kafkaBrokers).to.deep.equal(['a:9092', 'b:9092']);
    expect(c.dbSchema).to.equal('x1');
  });

  it('refuses bad values naming the variable', () => {
    expect(() => loadConfig({ MATCHING_TOPK_COUNT: 'ten' })).to.throw(ConfigError, /MATCHING_TOPK_COUNT/);
    expect(() => loadConfig({ MATCHING_TOPK_COUNT: '0' })).to.throw(ConfigError, /≥ 1/);
    expect(() => loadConfig({ DB_SCHEMA: 'x; DROP TABLE nodes' })).to.throw(ConfigError, /DB_SCHEMA/);
    expect(() => loadConfig({ QUEUE_PREFIX: 'a:b' })).to.throw(ConfigError, /QUEUE_PREFIX/);
  });

  it('masks secrets', () => {
    const r = redactedConfig(loadConfig({ DATABASE_URL: 'postgres://u:pw@h/db', API_TOKENS: 's3cret' }));
    expect(JSON.stringify(r)).not.to.contain('pw@').and.not.to.contain('s3cret');
  });

  it('docs/configuration.md lists every setting with its default (run `matchflow config --write-docs`)', async () => {
    const readme = await readFile(CONFIG_DOC, 'utf8');
    expect(withConfigTable(readme) === readme, 'docs/configuration.md configuration table is stale').to.equal(true);
  });
});
