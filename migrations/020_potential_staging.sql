-- Potential-match cycles (issue 4): bookkeeping of a running cycle and its staging, keyed by cycle.
-- The staging tables are UNLOGGED: they are written once per cycle and read by the same cycle's
-- jobs; a PostgreSQL crash empties them, and the cycle then fails and runs again — nothing of
-- the system of record lives here.

-- One row per cycle while it runs (and after, until the next cycle of the group replaces it):
-- the tokens of the group lock and domain permit it holds, so that every job of the cycle can
-- refresh them and fence its writes.
CREATE TABLE potential_cycles (
    cycle_id       VARCHAR(36) PRIMARY KEY,
    group_id       UUID NOT NULL,
    domain_id      UUID NOT NULL,
    mode           VARCHAR(16) NOT NULL CHECK (mode IN ('FULL', 'INCREMENTAL')),
    lock_token     BIGINT NOT NULL,
    permit_token   BIGINT,
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    planned_at     TIMESTAMPTZ,
    new_pages      INT,
    existing_pages INT
);
CREATE INDEX idx_potential_cycles_group ON potential_cycles (group_id, started_at);

-- Encoded pages (src/matching/pageCodec.ts): kind 'N' = nodes new in this cycle (all nodes in a
-- full run), 'E' = nodes processed in earlier cycles (incremental runs only).
CREATE UNLOGGED TABLE potential_cycle_pages (
    cycle_id         VARCHAR(36) NOT NULL,
    kind             CHAR(1) NOT NULL CHECK (kind IN ('N', 'E')),
    page_index       INT NOT NULL,
    node_count       INT NOT NULL,
    last_created_at  TIMESTAMPTZ,
    last_id          UUID,
    node_ids         UUID[] NOT NULL,
    reference_ids    TEXT[] NOT NULL,
    data             BYTEA NOT NULL,
    PRIMARY KEY (cycle_id, kind, page_index)
);

-- Each build job's final top-K edges of its row page, directed (reference_id's top-K holds
-- matched_reference_id), written by COPY after deleting the job's earlier attempt.
CREATE UNLOGGED TABLE potential_cycle_edges (
    cycle_id              VARCHAR(36) NOT NULL,
    kind                  CHAR(1) NOT NULL,
    page_index            INT NOT NULL,
    reference_id          VARCHAR(255) NOT NULL,
    matched_reference_id  VARCHAR(255) NOT NULL,
    compatibility_score   DOUBLE PRECISION NOT NULL
);
CREATE INDEX idx_potential_cycle_edges ON potential_cycle_edges (cycle_id, kind, page_index);
