// Queue and flow-producer handles with the configured prefix and default job options. They get
// connection options, not a client, so that BullMQ owns its connections and close() ends them.
import { FlowProducer, Queue } from 'bullmq';
import type { Config } from './config.ts';
import { defaultJobOptions, type QueueName } from './queues.ts';
import { bullConnection, logConnectionErrors } from './redis.ts';

export { bullConnection };

export function openQueue(cfg: Config, name: QueueName): Queue {
  const queue = new Queue(name, { connection: bullConnection(cfg), prefix: cfg.queuePrefix, defaultJobOptions: defaultJobOptions(cfg) });
  return logConnectionErrors(queue, `queue ${name}`);
}

export function openFlowProducer(cfg: Config): FlowProducer {
  return logConnectionErrors(new FlowProducer({ connection: bullConnection(cfg), prefix: cfg.queuePrefix }), 'flow producer');
}
