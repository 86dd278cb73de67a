-- A build job's page write deletes its nodes' earlier rows first (src/potential/pageMatches.ts).
-- In a group that had no rows when its cycle began, and on a page's first attempt, there is
-- nothing to delete; the DELETE still cost ~150 ms per 1,000-node page at 10,000 nodes, because
-- the table's statistics lag behind a cycle that fills it and the planner then reads every row
-- of the group rather than probe uq_match per node. The cycle records whether its group had rows
-- (after its fencing token is admitted, so no older cycle can write after the check), and each
-- page records, in its write's transaction, that it has been written.
ALTER TABLE potential_cycles ADD COLUMN group_had_matches BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE potential_cycle_pages ADD COLUMN written BOOLEAN NOT NULL DEFAULT false;
