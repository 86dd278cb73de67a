-- Largest fencing token that has written, per coordination resource (src/shared/coordination/fencing.ts).
-- A write carrying a smaller token comes from a holder whose lock or lease lapsed: it is refused.
CREATE TABLE fencing_tokens (
  resource   TEXT PRIMARY KEY,
  token      BIGINT NOT NULL CHECK (token > 0),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
