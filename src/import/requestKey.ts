// Idempotency keys. A client's key counts within its scope — who asked and through what (the API
// token, the Kafka topic, the CLI), and the domain and group of the import — so that one client
// reusing another's key neither gets the other's import back nor has its own silently dropped.
// The stored key is a digest of that scope and the key; the request's fingerprint is kept beside
// it, and the same key with a different request is refused rather than answered with the first.
import { createHash } from 'node:crypto';
import type { ImportRequest } from './nodeExchange.ts';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** What nodes_import_job.request_key holds for `requestKey` (scope and client key) in this group. */
export function scopedRequestKey(requestKey: string, domainId: string, groupId: string): string {
  return `s1:${sha256(JSON.stringify([requestKey, domainId, groupId]))}`;
}

/** A digest of what the request asks for: two requests with one key must ask for the same thing. */
export function requestFingerprint(req: ImportRequest): string {
  return sha256(JSON.stringify([req.source, req.type ?? null, req.fileName ?? null, req.contentType ?? null]));
}
