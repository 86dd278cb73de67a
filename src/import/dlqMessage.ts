// A dead-letter message: the original request as it was (so that it can be replayed to its
// topic once fixed, seed UC-3) with where it came from and why it was rejected in headers.
import type { OutgoingMessage } from '../shared/kafka.ts';
import type { KafkaOrigin } from '../shared/queues.ts';

export function dlqMessage(origin: KafkaOrigin, reason: string): OutgoingMessage {
  return {
    key: origin.key,
    value: origin.value,
    headers: {
      'dlq-reason': reason,
      'dlq-original-topic': origin.topic,
      'dlq-original-partition': String(origin.partition),
      'dlq-original-offset': origin.offset,
      'dlq-at': new Date().toISOString(),
    },
  };
}
