-- Incremental cycles must leave what a full recompute leaves (docs/architecture.md, "Incremental
-- cycles"). Each node keeps its ranked list: its top-K (the rows it has in potential_matches) and
-- the next MATCHING_TOPK_RESERVE entries, best first, and whether the list holds every candidate
-- above the threshold. One row per node, the entries packed (score, reference id) in a bytea, so
-- that a page of 1,000 nodes is read and written as 1,000 rows rather than 120,000.
CREATE TABLE potential_match_lists (
  group_id UUID NOT NULL REFERENCES matching_groups (id) ON DELETE CASCADE,
  reference_id VARCHAR(255) NOT NULL,
  entries BYTEA NOT NULL,
  exhaustive BOOLEAN NOT NULL,
  PRIMARY KEY (group_id, reference_id)
);

-- The group settings a cycle scores with, fixed when it begins (every job of the cycle uses them,
-- whatever happens to the group's configuration meanwhile), and their hash. An incremental cycle
-- is only exact against rows scored with the same settings: the last completed cycle's hash tells.
ALTER TABLE potential_cycles ADD COLUMN settings JSONB;
ALTER TABLE potential_cycles ADD COLUMN settings_hash TEXT;
ALTER TABLE last_run_potential_matches ADD COLUMN settings_hash TEXT;
