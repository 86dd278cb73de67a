// The Kafka trigger: NodeExchange requests on the topics matching KAFKA_IMPORT_TOPIC_PATTERN (the
// seeds' {domain}-users) become import jobs. `handleImportMessage` is what eachMessage calls:
// an invalid message, or one whose enqueue keeps failing, goes to the DLQ with the reason; the
// same message delivered twice (same topic, partition and offset, or the same idempotency key)
// yields one import.
import type { Queue } from 'bullmq';
import type { Consumer } from 'kafkajs';
import type { Config } from '../shared/config.ts';
import { createPool, type Pool } from '../shared/db.ts';
import { kafkaClient, kafkaPublisher, type Publish } from '../shared/kafka.ts';
import { logger, type Logger } from '../shared/logger.ts';
import { openQueue } from '../shared/queue.ts';
import { QUEUE, type KafkaOrigin } from '../shared/queues.ts';
import { dlqMessage } from '../import/dlqMessage.ts';
import { enqueueImport } from '../import/enqueueImport.ts';
import { ImportInputError } from '../import/errors.ts';
import { importRequestOf, validateNodeExchange } from '../import/nodeExchange.ts';
import { summarizeProblems } from '../shared/problemSummary.ts';

export interface ImportMessageDeps {
  cfg: Config;
  pool: Pool;
  /** the `import` queue */
  queue: Queue;
  publish: Publish;
  log: Logger;
  /** waits between enqueue attempts (tests pass a fast one) */
  sleep?: (ms: number) => Promise<void>;
}

/** The parts of a kafkajs EachMessagePayload this handler reads. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  message: {
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  };
}

export type MessageOutcome =
  | { kind: 'enqueued' | 'duplicate'; importJobId: string }
  | { kind: 'dead-lettered'; reason: string };

const IDEMPOTENCY_HEADER = 'idempotency-key';

function header(m: IncomingMessage['message'], name: string): string | undefined {
  const v = m.headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

/** The request key: the producer's idempotency key when it gives one, else the message's position. */
export function requestKeyOf(p: IncomingMessage, bodyRequestId?: string): string {
  const explicit = header(p.message, IDEMPOTENCY_HEADER) ?? bodyRequestId;
  return explicit ? `kafka:${p.topic}:key:${explicit}` : `kafka:${p.topic}:${p.partition}:${p.message.offset}`;
}

export async function handleImportMessage(deps: ImportMessageDeps, p: IncomingMessage): Promise<MessageOutcome> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const value = p.message.value?.toString('utf8') ?? '';
  const origin: KafkaOrigin = { topic: p.topic, partition: p.partition, offset: p.message.offset, key: p.message.key?.toString('utf8') ?? null };
  const deadLetter = async (reason: string): Promise<MessageOutcome> => {
    // If the DLQ cannot be written the error propagates: kafkajs does not commit the offset and
    // delivers the message again. The reason is bounded (dlqMessage), so a bad message cannot
    // make its own DLQ write fail for ever.
    const message = dlqMessage(origin, value, reason);
    await deps.publish(deps.cfg.kafkaDlqTopic, [message]);
    deps.log.warn({ topic: p.topic, partition: p.partition, offset: p.message.offset, reason: message.headers!['dlq-reason'] },
      'import request sent to the DLQ');
    return { kind: 'dead-lettered', reason: message.headers!['dlq-reason'] };
  };

  let body: unknown;
  try {
    body = JSON.parse(value);
  } catch (err) {
    return deadLetter(`invalid JSON: ${(err as Error).message}`);
  }
  const v = validateNodeExchange(body);
  if (!v.ok) return deadLetter(`invalid NodeExchange: ${summarizeProblems(v.errors).text}`);
  const request = importRequestOf(v.value, requestKeyOf(p, v.value.requestId));

  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= deps.cfg.maxRetries; attempt++) {
    try {
      const e = await enqueueImport({ cfg: deps.cfg, pool: deps.pool, queue: deps.queue }, request, origin);
      return { kind: e.created ? 'enqueued' : 'duplicate', importJobId: e.importJobId };
    } catch (err) {
      if (err instanceof ImportInputError) {
        if (err.detail) deps.log.info({ code: err.code, detail: err.detail, topic: p.topic, offset: p.message.offset }, 'import request refused');
        return deadLetter(`${err.code}: ${err.message}`);
      }
      lastError = err as Error;
      deps.log.warn({ err, attempt, topic: p.topic, offset: p.message.offset }, 'enqueue of an import request failed');
      if (attempt < deps.cfg.maxRetries) await sleep(deps.cfg.retryDelayMs * 2 ** (attempt - 1));
    }
  }
  return deadLetter(`enqueue failed ${deps.cfg.maxRetries} times: ${lastError?.message}`);
}

export interface ImportConsumer {
  consumer: Consumer;
  stop(): Promise<void>;
}

/** Subscribes to the import topics and enqueues every request; needs KAFKA_BROKERS. */
export async function startImportConsumer(cfg: Config, opts: { pool?: Pool } = {}): Promise<ImportConsumer> {
  const publish = kafkaPublisher(cfg);
  if (!publish) throw new Error('KAFKA_BROKERS is empty: the import consumer needs Kafka');
  const pool = opts.pool ?? createPool(cfg);
  const queue = openQueue(cfg, QUEUE.import);
  const log = logger().child({ component: 'import-consumer' });
  const consumer = kafkaClient(cfg).consumer({ groupId: cfg.kafkaGroupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [new RegExp(cfg.kafkaTopicPattern)], fromBeginning: true });
  await consumer.run({
    eachMessage: async (payload) => {
      await handleImportMessage({ cfg, pool, queue, publish, log }, payload);
    },
  });
  return {
    consumer,
    async stop() {
      await consumer.disconnect();
      await queue.close();
      if (!opts.pool) await pool.end();
    },
  };
}
