// An import that cannot succeed however often it is retried: a bad path, a malformed file, a
// header without reference_id. The worker fails such a job at once (no retries) with this message.
// The message goes back to whoever asked (HTTP answer, import status, Kafka status event, DLQ):
// it speaks of their request only. What the server knows besides (resolved paths, the import
// root, setting names, system errors) goes into `detail`, which is only logged.
export class ImportInputError extends Error {
  constructor(readonly code: string, message: string, readonly detail?: string) {
    super(message);
    this.name = 'ImportInputError';
  }
}
