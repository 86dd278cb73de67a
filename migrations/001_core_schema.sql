-- Core schema of matchflow, following the seed documents (001 Appendix A, 002 §8.3.2,
-- 003 §3, 004 §5). Timestamps are TIMESTAMPTZ throughout (the seeds mix TIMESTAMP and
-- TIMESTAMPTZ; one kind avoids zone bugs across workers).

CREATE TABLE domains (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name        VARCHAR(255) NOT NULL UNIQUE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE matching_groups (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    domain_id   UUID NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    name        VARCHAR(255) NOT NULL,
    -- SYMMETRIC: every node may match every other; BIPARTITE: left side × right side only
    match_type  VARCHAR(16) NOT NULL DEFAULT 'SYMMETRIC' CHECK (match_type IN ('SYMMETRIC', 'BIPARTITE')),
    cost_based  BOOLEAN NOT NULL DEFAULT FALSE,
    industry    VARCHAR(100),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_group_name UNIQUE (domain_id, name)
);

-- The perfect-match algorithms a group may be configured with (seed 000 §8.1 ALGORITHM).
CREATE TABLE matching_algorithms (
    id              VARCHAR(64) PRIMARY KEY,
    name            VARCHAR(255) NOT NULL,
    strategy_class  VARCHAR(255) NOT NULL
);

INSERT INTO matching_algorithms (id, name, strategy_class) VALUES
    ('top-k',          'Top-K per node',                          'topK'),
    ('mutual-top-k',   'Mutual top-K',                            'mutualTopK'),
    ('greedy',         'Greedy one-to-one by score',              'greedyMatching'),
    ('assignment',     'Optimal assignment (Jonker-Volgenant)',   'solveAssignment'),
    ('auction',        'Auction algorithm with epsilon scaling',  'auctionAssignment'),
    ('blossom',        'Maximum-weight matching (blossom)',       'maxWeightMatching'),
    ('stable',         'Stable matching (Gale-Shapley, capacities)', 'stableMatching'),
    ('hopcroft-karp',  'Maximum-cardinality matching (Hopcroft-Karp)', 'hopcroftKarp');

-- Per-group configuration (seed 000 §8.1). config_params holds the potential-stage settings:
-- {"candidateStrategy": "flat|metadata|bipartite", "partitionKey": "type",
--  "leftValues": ["MENTOR"], "rightValues": ["MENTEE"], "topK": 100, "capacities": {...}}
CREATE TABLE matching_configuration (
    id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id       UUID NOT NULL REFERENCES matching_groups(id) ON DELETE CASCADE,
    domain_id      UUID NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
    algorithm_id   VARCHAR(64) NOT NULL REFERENCES matching_algorithms(id),
    priority       INT NOT NULL DEFAULT 1,
    config_params  JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_configuration_priority UNIQUE (group_id, priority)
);

CREATE TABLE nodes (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id      UUID NOT NULL REFERENCES matching_groups(id) ON DELETE CASCADE,
    domain_id     UUID NOT NULL,
    reference_id  VARCHAR(255) NOT NULL,
    type          VARCHAR(50),
    metadata      JSONB NOT NULL DEFAULT '{}'::jsonb,
    processed     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    updated_at    TIMESTAMPTZ,
    CONSTRAINT uq_node_reference UNIQUE (group_id, domain_id, reference_id)
);

CREATE INDEX idx_nodes_group_domain ON nodes (group_id, domain_id);
CREATE INDEX idx_nodes_processed ON nodes (group_id, domain_id, processed) WHERE processed = false;
CREATE INDEX idx_nodes_cursor ON nodes (group_id, domain_id, created_at, id) WHERE processed = false;
-- Full scans of a group in keyset order (full recomputes, existing side of incremental runs).
CREATE INDEX idx_nodes_keyset ON nodes (group_id, domain_id, created_at, id);

CREATE TABLE nodes_import_job (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id         UUID NOT NULL,
    domain_id        UUID NOT NULL,
    status           VARCHAR(20) NOT NULL CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED')),
    total_nodes      INT NOT NULL DEFAULT 0,
    processed_nodes  INT NOT NULL DEFAULT 0,
    failed_nodes     INT NOT NULL DEFAULT 0,
    duplicate_nodes  INT NOT NULL DEFAULT 0,
    failure_reason   TEXT,
    source           TEXT,
    file_name        TEXT,
    -- Makes an import request idempotent (a Kafka message delivered twice, an HTTP retry).
    request_key      VARCHAR(255) UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);

CREATE INDEX idx_import_job_group ON nodes_import_job (group_id, domain_id, created_at);

-- Rows an import rejected, with where and why (seed 002: failed list).
CREATE TABLE nodes_import_failed_row (
    job_id        UUID NOT NULL REFERENCES nodes_import_job(id) ON DELETE CASCADE,
    row_number    BIGINT NOT NULL,
    reference_id  VARCHAR(255),
    reason        TEXT NOT NULL,
    PRIMARY KEY (job_id, row_number)
);

CREATE TABLE nodes_cursor (
    group_id           UUID NOT NULL,
    domain_id          UUID NOT NULL,
    cursor_created_at  TIMESTAMPTZ,
    cursor_id          UUID,
    updated_at         TIMESTAMPTZ DEFAULT now(),
    PRIMARY KEY (group_id, domain_id)
);

CREATE TABLE potential_matches (
    id                    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id              UUID NOT NULL,
    domain_id             UUID NOT NULL,
    processing_cycle_id   VARCHAR(36) NOT NULL,
    reference_id          VARCHAR(255) NOT NULL,
    matched_reference_id  VARCHAR(255) NOT NULL,
    compatibility_score   DOUBLE PRECISION NOT NULL,
    matched_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_match UNIQUE (group_id, reference_id, matched_reference_id)
);

CREATE INDEX idx_matches_group ON potential_matches (group_id, domain_id);
CREATE INDEX idx_matches_cycle ON potential_matches (processing_cycle_id);
CREATE INDEX idx_matches_reference ON potential_matches (reference_id);

CREATE TABLE last_run_potential_matches (
    group_id             UUID PRIMARY KEY,
    domain_id            UUID NOT NULL,
    processing_cycle_id  VARCHAR(36),
    status               VARCHAR(16) CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
    started_at           TIMESTAMPTZ,
    finished_at          TIMESTAMPTZ,
    node_count           BIGINT,
    edge_count           BIGINT,
    failure_reason       TEXT
);

CREATE TABLE match_participation_history (
    id                   BIGSERIAL PRIMARY KEY,
    node_id              UUID NOT NULL,
    group_id             UUID NOT NULL,
    domain_id            UUID NOT NULL,
    processing_cycle_id  VARCHAR(36),
    participated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT fk_node FOREIGN KEY (node_id) REFERENCES nodes(id) ON DELETE CASCADE,
    -- One row per node and cycle, so that a retried finalize adds nothing.
    CONSTRAINT uq_participation UNIQUE (node_id, processing_cycle_id)
);

CREATE INDEX idx_participation_node ON match_participation_history (node_id);
CREATE INDEX idx_participation_cycle ON match_participation_history (processing_cycle_id);

CREATE TABLE perfect_matches (
    id                    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id              UUID NOT NULL,
    domain_id             UUID NOT NULL,
    processing_cycle_id   VARCHAR(36) NOT NULL,
    reference_id          VARCHAR(255) NOT NULL,
    matched_reference_id  VARCHAR(255) NOT NULL,
    compatibility_score   DOUBLE PRECISION NOT NULL,
    matched_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT uq_perfect_match UNIQUE (group_id, reference_id, matched_reference_id)
);

CREATE INDEX idx_perfect_group ON perfect_matches (group_id, domain_id);
CREATE INDEX idx_perfect_cycle ON perfect_matches (processing_cycle_id);

-- One row per group (seed 003 §3 has an id plus group_id; group_id is unique here so the
-- bookkeeping is an UPSERT).
CREATE TABLE last_run_perfect_matches (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id             UUID NOT NULL UNIQUE,
    domain_id            UUID NOT NULL,
    run_date             TIMESTAMPTZ,
    node_count           BIGINT,
    status               VARCHAR(20) CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
    processing_cycle_id  VARCHAR(36),
    -- the potential cycle this run consumed: a new potential cycle means "changed"
    potential_cycle_id   VARCHAR(36),
    strategy             VARCHAR(64),
    pair_count           BIGINT,
    started_at           TIMESTAMPTZ,
    finished_at          TIMESTAMPTZ,
    failure_reason       TEXT
);
