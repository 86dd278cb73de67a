// The Kafka trigger through the function eachMessage calls (no broker needed), and the consumer
// against a real broker when KAFKA_BROKERS is set.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createPool } from '../../../src/shared/db.ts';
import { closeKafka, kafkaClient } from '../../../src/shared/kafka.ts';
import { logger } from '../../../src/shared/logger.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import { getImportJob } from '../../../src/import/importJobs.ts';
import { startWorkers } from '../../../src/workers/runtime.ts';
import { handleImportMessage, startImportConsumer, type ImportMessageDeps, type IncomingMessage } from '../../../src/producers/importConsumer.ts';
import { createImportFixture, nodesOf, type ImportFixture } from '../../support/importFixture.ts';

let offset = 0;
function message(value: unknown, opts: { topic?: string; headers?: Record<string, string>; offset?: string } = {}): IncomingMessage {
  return {
    topic: opts.topic ?? 'acme-users',
    partition: 0,
    message: {
      offset: opts.offset ?? String(offset++),
      key: Buffer.from('k'),
      value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
      headers: opts.headers,
    },
  };
}

describe('Kafka import requests: handleImportMessage', () => {
  let fx: ImportFixture;
  let deps: ImportMessageDeps;
  beforeEach(async () => {
    fx = await createImportFixture('impkafka');
    deps = { cfg: fx.cfg, pool: fx.t.pool, queue: fx.queue, publish: fx.publish, log: logger(), sleep: async () => undefined };
    await fx.file('users.csv', 'reference_id,city\nu1,rome\nu2,oslo\n');
  });
  afterEach(async () => { await fx.close(); });

  const dlq = () => fx.published.filter((p) => p.topic === fx.cfg.kafkaDlqTopic);

  it('enqueues a valid NodeExchange; the import runs and its status event is published', async () => {
    const out = await handleImportMessage(deps, message({ domainId: 'acme', groupId: 'g1', filePath: 'users.csv' }));
    expect(out.kind).to.equal('enqueued');
    const job = await fx.wait((out as { importJobId: string }).importJobId);
    expect(job.status).to.equal('COMPLETED');
    expect((await nodesOf(fx, job.groupId)).map((n) => n.reference_id)).to.deep.equal(['u1', 'u2']);
    const status = fx.published.filter((p) => p.topic === fx.cfg.kafkaStatusTopic).map((p) => JSON.parse(p.message.value));
    expect(status).to.have.length(1);
    expect(status[0]).to.include({ jobId: job.id, status: 'COMPLETED', processed: 2, total: 2 });
  });

  it('a NodeExchange with new UUIDs creates the domain and group under those ids; the same UUIDs find them', async () => {
    const domainId = randomUUID();
    const groupId = randomUUID();
    const first = await handleImportMessage(deps, message({ domainId, groupId, filePath: 'users.csv' }));
    expect(first.kind).to.equal('enqueued');
    const job = await fx.wait((first as { importJobId: string }).importJobId);
    expect([job.status, job.domainId, job.groupId]).to.deep.equal(['COMPLETED', domainId, groupId]);
    const again = await handleImportMessage(deps, message({ domainId, groupId, referenceIds: ['u3'] }));
    expect(again.kind).to.equal('enqueued');
    await fx.wait((again as { importJobId: string }).importJobId);
    expect((await nodesOf(fx, groupId)).map((n) => n.reference_id)).to.deep.equal(['u1', 'u2', 'u3']);
    const elsewhere = await handleImportMessage(deps, message({ domainId: randomUUID(), groupId, referenceIds: ['u4'] }));
    expect(elsewhere).to.deep.include({ kind: 'dead-lettered' });
    expect((elsewhere as { reason: string }).reason).to.match(new RegExp(`^invalid_group: group ${groupId} belongs to domain ${domainId}`));
  });

  it('the same message delivered twice yields one import (same offset, or same idempotency key)', async () => {
    const body = { domainId: 'acme', groupId: 'g1', referenceIds: ['a', 'b'] };
    const m = message(body);
    const a = await handleImportMessage(deps, m);
    const b = await handleImportMessage(deps, m);
    const c = await handleImportMessage(deps, message(body, { headers: { 'idempotency-key': 'req-1' } }));
    const d = await handleImportMessage(deps, message(body, { headers: { 'idempotency-key': 'req-1' } }));
    expect([a.kind, b.kind, c.kind, d.kind]).to.deep.equal(['enqueued', 'duplicate', 'enqueued', 'duplicate']);
    expect((b as { importJobId: string }).importJobId).to.equal((a as { importJobId: string }).importJobId);
    expect((d as { importJobId: string }).importJobId).to.equal((c as { importJobId: string }).importJobId);
    const { rows } = await fx.t.pool.query('SELECT count(*)::int AS n FROM nodes_import_job');
    expect(rows[0].n).to.equal(2);
  });

  it('an idempotency key counts per topic and group; reused for a different request it is dead-lettered', async () => {
    const headers = { 'idempotency-key': 'req-2' };
    const a = await handleImportMessage(deps, message({ domainId: 'acme', groupId: 'g1', referenceIds: ['a'] }, { headers }));
    const otherTopic = await handleImportMessage(deps, message({ domainId: 'acme', groupId: 'g1', referenceIds: ['a'] }, { headers, topic: 'beta-users' }));
    const otherGroup = await handleImportMessage(deps, message({ domainId: 'acme', groupId: 'g2', referenceIds: ['a'] }, { headers }));
    const changed = await handleImportMessage(deps, message({ domainId: 'acme', groupId: 'g1', referenceIds: ['a', 'b'] }, { headers }));
    expect([a.kind, otherTopic.kind, otherGroup.kind, changed.kind]).to.deep.equal(['enqueued', 'enqueued', 'enqueued', 'dead-lettered']);
    expect((changed as { reason: string }).reason).to.match(/^idempotency_key_reused/);
  });

  it('sends invalid messages to the DLQ with the reason and the original value', async () => {
    const bad = ['{not json', '[1,2]', JSON.stringify({ domainId: 'acme', filePath: 'x.csv' }),
      JSON.stringify({ domainId: 'acme', groupId: 'g', filePath: '../../etc/shadow' })];
    const outs = [];
    for (const b of bad) outs.push(await handleImportMessage(deps, message(b, { offset: `9${outs.length}` })));
    expect(outs.map((o) => o.kind)).to.deep.equal(['dead-lettered', 'dead-lettered', 'dead-lettered', 'dead-lettered']);
    const reasons = dlq().map((p) => p.message.headers!['dlq-reason']);
    expect(reasons[0]).to.match(/^invalid JSON/);
    expect(reasons[1]).to.match(/invalid NodeExchange: the body must be a JSON object/);
    expect(reasons[2]).to.match(/'groupId' is required/);
    expect(reasons[3]).to.match(/path_outside_root/);
    expect(dlq().map((p) => p.message.value)).to.deep.equal(bad);
    expect(dlq()[0].message.headers).to.include({ 'dlq-original-topic': 'acme-users', 'dlq-original-offset': '90' });
    expect(dlq()[0].message.key).to.equal('k');
  });

  it('sends a request that keeps failing to the DLQ after MATCH_MAX_RETRIES attempts', async () => {
    const broken = createPool(fx.cfg, { max: 1 });
    await broken.end();
    const out = await handleImportMessage({ ...deps, pool: broken }, message({ domainId: 'acme', groupId: 'g1', filePath: 'users.csv' }));
    expect(out.kind).to.equal('dead-lettered');
    expect((out as { reason: string }).reason).to.match(new RegExp(`enqueue failed ${fx.cfg.maxRetries} times`));
  });

  it('sends the request of an import that finally fails to the DLQ, to be replayed', async () => {
    await fx.file('noheader.csv', 'u1,rome\n');
    const out = await handleImportMessage(deps, message({ domainId: 'acme', groupId: 'g1', filePath: 'noheader.csv' }));
    const job = await fx.wait((out as { importJobId: string }).importJobId);
    expect(job.status).to.equal('FAILED');
    expect(dlq()).to.have.length(1);
    expect(dlq()[0].message.headers!['dlq-reason']).to.match(/failed: .*no reference_id column/);
    // the request as the job understood it (the job keeps where the message was, not its text)
    expect(JSON.parse(dlq()[0].message.value)).to.deep.equal({ domainId: job.domainId, groupId: job.groupId, filePath: 'noheader.csv' });
    expect(dlq()[0].message.headers).to.include({ 'dlq-original-topic': 'acme-users', 'dlq-original-partition': '0' });
  });
});

describe('Kafka import requests: a real broker', function () {
  const brokers = loadConfig().kafkaBrokers;

  it('consumes {domain}-users, imports, publishes the status event, dead-letters bad messages', async function () {
    if (brokers.length === 0) {
      // Not a pass: reported as pending, with the reason.
      process.stdout.write('      (skipped: KAFKA_BROKERS is not set, so there is no broker to test against)\n');
      this.skip();
    }
    const suffix = randomUUID().slice(0, 8);
    const fx = await createImportFixture('impbroker', {
      kafkaTopicPattern: `^mf-${suffix}-.+-users$`, kafkaStatusTopic: `mf-${suffix}-status`, kafkaDlqTopic: `mf-${suffix}-dlq`, kafkaGroupId: `mf-${suffix}`,
    }, { worker: false });
    const kafka = kafkaClient(fx.cfg);
    const admin = kafka.admin();
    const producer = kafka.producer();
    const watcher = kafka.consumer({ groupId: `mf-${suffix}-watch` });
    const topic = `mf-${suffix}-acme-users`;
    try {
      await admin.connect();
      const topics = [topic, fx.cfg.kafkaStatusTopic, fx.cfg.kafkaDlqTopic].map((t) => ({ topic: t, numPartitions: 1 }));
      await admin.createTopics({ topics, waitForLeaders: true });
      // The registered processor, publishing to the broker (the fixture's worker only records).
      fx.workers = await startWorkers(fx.cfg, { queues: ['import'], pool: fx.t.pool });
      await fx.file('users.csv', 'reference_id,city\nb1,rome\nb2,oslo\n');
      const seen: Array<{ topic: string; value: string }> = [];
      await watcher.connect();
      await watcher.subscribe({ topics: [fx.cfg.kafkaStatusTopic, fx.cfg.kafkaDlqTopic], fromBeginning: true });
      await watcher.run({ eachMessage: async ({ topic: t, message: m }) => { seen.push({ topic: t, value: m.value!.toString() }); } });
      const consumer = await startImportConsumer(fx.cfg, { pool: fx.t.pool });
      try {
        await producer.connect();
        const good = JSON.stringify({ domainId: 'acme', groupId: 'g', filePath: 'users.csv' });
        await producer.send({ topic, messages: [{ value: good }, { value: '{broken' }] });
        const deadline = Date.now() + 60000;
        while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        const status = seen.find((s) => s.topic === fx.cfg.kafkaStatusTopic);
        expect(status, JSON.stringify(seen)).to.not.equal(undefined);
        const event = JSON.parse(status!.value);
        expect(event).to.include({ status: 'COMPLETED', processed: 2 });
        expect((await getImportJob(fx.t.pool, event.jobId))?.status).to.equal('COMPLETED');
        expect(seen.find((s) => s.topic === fx.cfg.kafkaDlqTopic)?.value).to.equal('{broken');
      } finally {
        await consumer.stop();
      }
    } finally {
      await watcher.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: [topic, fx.cfg.kafkaStatusTopic, fx.cfg.kafkaDlqTopic] }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await closeKafka();
      await fx.close();
    }
  });
});
