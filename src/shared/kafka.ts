// Kafka (kafkajs) for the processes that need it: one client and one producer per process,
// created on first use and only when KAFKA_BROKERS is set. Messages go out through `Publish`, a
// plain function, so that code that publishes does not depend on kafkajs.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Config } from './config.ts';
import { logger } from './logger.ts';

export interface OutgoingMessage {
  key?: string | null;
  value: string;
  headers?: Record<string, string>;
}

export type Publish = (topic: string, messages: OutgoingMessage[]) => Promise<void>;

/** kafkajs logs through pino at the matching level. */
function kafkaLogCreator() {
  return () => ({ level, log }: { level: logLevel; log: { message: string } & Record<string, unknown> }) => {
    const { message, ...rest } = log;
    const l = logger().child({ component: 'kafka' });
    if (level === logLevel.ERROR) l.error(rest, message);
    else if (level === logLevel.WARN) l.warn(rest, message);
    else if (level === logLevel.INFO) l.info(rest, message);
    else l.debug(rest, message);
  };
}

export function kafkaClient(cfg: Config): Kafka {
  return new Kafka({ clientId: cfg.kafkaClientId, brokers: cfg.kafkaBrokers, logLevel: logLevel.WARN, logCreator: kafkaLogCreator() });
}

let shared: { key: string; producer: Promise<Producer> } | undefined;

/** A publisher on the process's producer, or null when Kafka is not configured. */
export function kafkaPublisher(cfg: Config): Publish | null {
  if (cfg.kafkaBrokers.length === 0) return null;
  const key = cfg.kafkaBrokers.join(',');
  if (!shared || shared.key !== key) {
    const producer = kafkaClient(cfg).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
    const connecting = producer.connect().then(() => producer);
    // A failed connect is retried on the next publish instead of poisoning the process.
    connecting.catch(() => { if (shared?.producer === connecting) shared = undefined; });
    shared = { key, producer: connecting };
  }
  const producer = shared.producer;
  return async (topic, messages) => {
    await (await producer).send({
      topic,
      messages: messages.map((m) => ({ key: m.key ?? null, value: m.value, headers: m.headers })),
    });
  };
}

export async function closeKafka(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (s) await (await s.producer.catch(() => null))?.disconnect();
}
