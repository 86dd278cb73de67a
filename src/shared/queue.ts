// Queue and flow-producer handles with the configured prefix and default job options. They get
// connection options, not a client, so that BullMQ owns its connections and close() ends them.
import { FlowProducer, Queue, type ConnectionOptions } from 'bullmq';
import type { Config } from './config.ts';
import { defaultJobOptions, type QueueName } from './queues.ts';

export function bullConnection(cfg: Config): ConnectionOptions {
  return { url: cfg.redisUrl, maxRetriesPerRequest: null };
}

export function openQueue(cfg: Config, name: QueueName): Queue {
  return new Queue(name, { connection: bullConnection(cfg), prefix: cfg.queuePrefix, defaultJobOptions: defaultJobOptions(cfg) });
}

export function openFlowProducer(cfg: Config): FlowProducer {
  return new FlowProducer({ connection: bullConnection(cfg), prefix: cfg.queuePrefix });
}
