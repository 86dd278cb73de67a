-- Match quality per potential cycle, kept over time (one row per completed cycle, not only the
-- last): what the cycle scored and kept, where its time went, and an estimate of the recall of its
-- candidates — for a seeded sample of nodes, the share of their exact (flat) top-K the cycle kept.
-- Written by finalize-group in the transaction that marks the cycle COMPLETED.
CREATE TABLE potential_cycle_quality (
    cycle_id         VARCHAR(36) PRIMARY KEY,
    group_id         UUID NOT NULL REFERENCES matching_groups(id) ON DELETE CASCADE,
    domain_id        UUID NOT NULL,
    mode             VARCHAR(16) NOT NULL CHECK (mode IN ('FULL', 'INCREMENTAL')),
    strategy         VARCHAR(16),
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- nodes of the group in the cycle, and those of its N pages (all of them in a full recompute)
    nodes            BIGINT NOT NULL,
    new_nodes        BIGINT NOT NULL,
    -- directed pairs the build jobs scored, and every directed pair of the group (left × right
    -- both ways when it is split); reduction_ratio = 1 - scored / possible
    pairs_scored     BIGINT NOT NULL,
    pairs_possible   BIGINT NOT NULL,
    reduction_ratio  DOUBLE PRECISION,
    -- potential_matches rows the cycle wrote, and the group's rows after it
    edges_written    BIGINT NOT NULL,
    edges            BIGINT NOT NULL,
    -- wall time per phase: pages fetched and encoded, build jobs, flush, finalize (the estimate included)
    fetch_ms         BIGINT,
    build_ms         BIGINT,
    flush_ms         BIGINT,
    finalize_ms      BIGINT,
    -- the recall estimate: sampled nodes, entries of their exact top-K, how many the cycle kept
    recall_sample    INT NOT NULL,
    recall_expected  BIGINT,
    recall_found     BIGINT,
    recall           DOUBLE PRECISION,
    recall_ms        BIGINT
);
CREATE INDEX idx_cycle_quality_group ON potential_cycle_quality (group_id, finished_at DESC);
