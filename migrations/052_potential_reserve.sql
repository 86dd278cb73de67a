-- Incremental cycles must leave what a full recompute leaves (docs/architecture.md, "Incremental
-- cycles"). Each node keeps, beside its top-K rows in potential_matches, the next
-- MATCHING_TOPK_RESERVE entries of its ranking and whether its list holds every candidate above
-- the threshold. One row per node: the reserve is read and written a page of nodes at a time.
CREATE TABLE potential_match_reserve (
  group_id UUID NOT NULL REFERENCES matching_groups (id) ON DELETE CASCADE,
  reference_id VARCHAR(255) NOT NULL,
  matched_reference_ids VARCHAR(255)[] NOT NULL,
  scores DOUBLE PRECISION[] NOT NULL,
  exhaustive BOOLEAN NOT NULL,
  PRIMARY KEY (group_id, reference_id)
);

-- The group settings a cycle scores with, fixed when it begins (every job of the cycle uses them,
-- whatever happens to the group's configuration meanwhile), and their hash. An incremental cycle
-- is only exact against rows scored with the same settings: the last completed cycle's hash tells.
ALTER TABLE potential_cycles ADD COLUMN settings JSONB;
ALTER TABLE potential_cycles ADD COLUMN settings_hash TEXT;
ALTER TABLE last_run_potential_matches ADD COLUMN settings_hash TEXT;
