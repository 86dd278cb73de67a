// A request built to amplify: one error per unknown field used to make a 762 KB Kafka message
// into an 11 MB DLQ header (refused by the broker, so the message was redelivered for ever) and a
// 1 MB HTTP body into a 13.9 MB answer; a 979 KB message became a 2 MB Redis job.
import { expect } from 'chai';
import { handleImportMessage, type ImportMessageDeps, type IncomingMessage } from '../../../src/producers/importConsumer.ts';
import { startApiServer, type ApiServer } from '../../../src/producers/api.ts';
import type { Publish } from '../../../src/shared/kafka.ts';
import { logger } from '../../../src/shared/logger.ts';
import { DLQ_REASON_MAX_BYTES, dlqMessage } from '../../../src/import/dlqMessage.ts';
import { createImportFixture, type ImportFixture } from '../../support/importFixture.ts';

const TOKEN = 'oversized-test-token';
/** The broker's default message.max.bytes (1 MB): larger messages are refused with MESSAGE_TOO_LARGE. */
const BROKER_MAX_BYTES = 1_048_588;

/** A NodeExchange with `n` unknown fields, as the review sent (about 10 bytes a field). */
function manyUnknownFields(n: number): string {
  const body: Record<string, unknown> = { domainId: 'acme', groupId: 'g', filePath: 'x.csv' };
  for (let i = 0; i < n; i++) body[`u${i}`] = 1;
  return JSON.stringify(body);
}

function kafkaMessage(value: string, offset: string): IncomingMessage {
  return { topic: 'acme-users', partition: 0, message: { offset, key: Buffer.from('k'), value: Buffer.from(value) } };
}

describe('oversized and amplifying requests', function () {
  let fx: ImportFixture;
  let deps: ImportMessageDeps;
  let api: ApiServer;
  const sent: Array<{ bytes: number; headers: Record<string, string>; value: string }> = [];
  // Publishes like a broker: refuses a message larger than message.max.bytes.
  const brokerLike: Publish = async (_topic, messages) => {
    for (const m of messages) {
      const headers = m.headers ?? {};
      const bytes = Buffer.byteLength(m.value) + Object.entries(headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
      if (bytes > BROKER_MAX_BYTES) throw new Error(`MESSAGE_TOO_LARGE (${bytes} bytes)`);
      sent.push({ bytes, headers, value: m.value });
    }
  };

  before(async () => {
    fx = await createImportFixture('oversized', { apiTokens: [TOKEN], apiPort: 0 }, { worker: false });
    deps = { cfg: fx.cfg, pool: fx.t.pool, queue: fx.queue, publish: brokerLike, log: logger(), sleep: async () => undefined };
    api = await startApiServer(fx.cfg, { pool: fx.t.pool });
  });
  after(async () => {
    await api?.close();
    await fx?.close();
  });

  it('Kafka: 90,000 unknown fields (979 KB) are dead-lettered with a reason of at most 1 KB that counts them', async () => {
    const value = manyUnknownFields(90_000);
    expect(value.length).to.be.within(700_000, 1_000_000);
    const out = await handleImportMessage(deps, kafkaMessage(value, '1'));
    expect(out.kind).to.equal('dead-lettered');
    const dlq = sent.at(-1)!;
    const reason = dlq.headers['dlq-reason'];
    expect(Buffer.byteLength(reason)).to.be.at.most(DLQ_REASON_MAX_BYTES);
    expect(reason).to.match(/unknown fields 'u0', 'u1', 'u2', 'u3', 'u4' and 89995 more/);
    expect(dlq.value, 'the request itself, for replay').to.equal(value);
  });

  it('Kafka: a reason longer than 1 KB from any cause is cut to 1 KB on a character boundary', () => {
    const origin = { topic: 'acme-users', partition: 0, offset: '2', key: null };
    const reason = dlqMessage(origin, '{}', `enqueue failed: ${'ü'.repeat(5000)}`).headers!['dlq-reason'];
    expect(Buffer.byteLength(reason)).to.be.within(DLQ_REASON_MAX_BYTES - 3, DLQ_REASON_MAX_BYTES);
    expect(reason).to.match(/^enqueue failed: ü+…$/);
  });

  it('Kafka: the job of a 979 KB request keeps the request once, not the message text as well', async () => {
    const referenceIds = Array.from({ length: 65_000 }, (_, i) => `ref-${String(i).padStart(8, '0')}`);
    const value = JSON.stringify({ domainId: 'acme', groupId: 'big', referenceIds });
    expect(value.length).to.be.within(900_000, 1_048_576);
    const out = await handleImportMessage(deps, kafkaMessage(value, '3'));
    expect(out.kind).to.equal('enqueued');
    const job = await fx.queue.getJob((out as { importJobId: string }).importJobId);
    expect(job!.data.origin).to.deep.equal({ topic: 'acme-users', partition: 0, offset: '3', key: 'k' });
    const stored = JSON.stringify(job!.data).length;
    expect(stored, 'job payload bytes').to.be.below(value.length * 1.1);
  });

  it('HTTP: a body with 90,000 unknown fields gets a 400 of a few hundred bytes', async () => {
    const res = await fetch(`http://127.0.0.1:${api.port}/v1/imports`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: manyUnknownFields(90_000),
    });
    const text = await res.text();
    expect(res.status).to.equal(400);
    expect(text.length, 'answer bytes').to.be.below(2048);
    const body = JSON.parse(text) as { code: string; message: string; details: string[] };
    expect(body.code).to.equal('invalid_request');
    expect(body.message).to.match(/and 89995 more/);
    expect(body.details.length).to.be.at.most(10);
  });

  it('HTTP: more than ten problems are reported as the first ten and their count', async () => {
    const { sendError } = await import('../../../src/producers/apiErrors.ts');
    let sentBody: unknown;
    const res = { status: () => res, json: (b: unknown) => { sentBody = b; } } as unknown as Parameters<typeof sendError>[0];
    sendError(res, 400, 'invalid_request', 'many', Array.from({ length: 25 }, (_, i) => `problem ${i}`));
    const first10 = Array.from({ length: 10 }, (_, i) => `problem ${i}`);
    expect(sentBody).to.deep.equal({ code: 'invalid_request', message: 'many', details: first10, detailCount: 25 });
  });
});
