-- Idempotency keys are scoped by client, domain and group (src/import/requestKey.ts), and a key
-- reused for a different request is refused: each import keeps a digest of what it asked for.
-- Imports enqueued before have none, and match whatever comes with their key.
ALTER TABLE nodes_import_job ADD COLUMN request_hash TEXT;
