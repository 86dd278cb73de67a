-- Build jobs now write their row page's top-K into potential_matches themselves (COPY → TEMP
-- table → INSERT … ON CONFLICT, src/potential/pageMatches.ts), in parallel on the workers, instead
-- of staging every edge for one serial flush: the cycle-wide edge staging of 020 is gone.
DROP TABLE potential_cycle_edges;
