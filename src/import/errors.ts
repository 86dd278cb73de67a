// An import that cannot succeed however often it is retried: a bad path, a malformed file, a
// header without reference_id. The worker fails such a job at once (no retries) with this message.
export class ImportInputError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ImportInputError';
  }
}
