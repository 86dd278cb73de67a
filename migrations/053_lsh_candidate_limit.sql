-- The LSH candidate limit (MATCHING_LSH_CANDIDATE_LIMIT): with a limit, each node's stored list
-- records how many LSH candidates the node had when it was ranked — exactly after it was scored
-- against every node, an upper bound after a merge. An incremental cycle merges a node's list only
-- when that count plus its candidates among the new nodes stays within the limit (a node over it
-- scores only its best candidates, a choice that depends on all of them); NULL: no limit, or unknown.
ALTER TABLE potential_match_lists ADD COLUMN colliders INTEGER;
