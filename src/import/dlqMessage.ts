// A dead-letter message: the request (so that it can be replayed to its topic once fixed, seed
// UC-3) with where it came from and why it was rejected in headers. The reason is cut to
// DLQ_REASON_MAX_BYTES: a header as large as the message would be refused by the broker, and a
// DLQ write that fails is retried for ever.
import type { OutgoingMessage } from '../shared/kafka.ts';
import { truncateUtf8 } from '../shared/problemSummary.ts';
import type { KafkaOrigin } from '../shared/queues.ts';

export const DLQ_REASON_MAX_BYTES = 1024;

export function dlqMessage(origin: KafkaOrigin, value: string, reason: string): OutgoingMessage {
  return {
    key: origin.key,
    value,
    headers: {
      'dlq-reason': truncateUtf8(reason, DLQ_REASON_MAX_BYTES),
      'dlq-original-topic': origin.topic,
      'dlq-original-partition': String(origin.partition),
      'dlq-original-offset': origin.offset,
      'dlq-at': new Date().toISOString(),
    },
  };
}
