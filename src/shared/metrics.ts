// The seeds' Prometheus metric names (seed 003 §7, seed 004 §10), one registry per process.
import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const buckets = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

export const metrics = {
  potentialMatchesGenerated: new Counter({ name: 'potential_matches_generated_total', help: 'Candidate edges scored above the threshold', labelNames: ['groupId', 'match_type'], registers: [registry] }),
  potentialMatchesSaved: new Counter({ name: 'potential_matches_saved_total', help: 'Rows upserted into potential_matches', labelNames: ['groupId'], registers: [registry] }),
  matchDrops: new Counter({ name: 'match_drops_total', help: 'Edges dropped (top-K eviction, queue timeout)', labelNames: ['groupId', 'reason', 'match_type'], registers: [registry] }),
  batchMatchesTotalDuration: new Histogram({ name: 'batch_matches_total_duration', help: 'Seconds to score one chunk pair', labelNames: ['groupId'], buckets, registers: [registry] }),
  graphBuildDuration: new Histogram({ name: 'graph_build_duration', help: 'Seconds to build a group graph', labelNames: ['groupId', 'match_type'], buckets, registers: [registry] }),
  storageProcessorBatchDuration: new Histogram({ name: 'storage_processor_batch_duration', help: 'Seconds to COPY + UPSERT one batch', labelNames: ['table'], buckets, registers: [registry] }),
  matchingDuration: new Histogram({ name: 'matching_duration', help: 'Seconds the perfect-match strategy ran', labelNames: ['groupId', 'strategy'], buckets, registers: [registry] }),
  perfectMatchesCreation: new Histogram({ name: 'perfect_matches_creation', help: 'Seconds of one perfect-match-group job', labelNames: ['groupId'], buckets, registers: [registry] }),
  perfectMatchesCreationErrors: new Counter({ name: 'perfect_matches_creation_errors_total', help: 'Failed perfect-match-group runs', labelNames: ['groupId'], registers: [registry] }),
  perfectStrategyFallbacks: new Counter({ name: 'perfect_strategy_fallbacks_total', help: 'Perfect-match jobs that ran another strategy than configured because of the group size', labelNames: ['groupId', 'configured', 'ran'], registers: [registry] }),
  perfectMatchStorageDuration: new Histogram({ name: 'perfect_match_storage_duration', help: 'Seconds of the whole COPY + UPSERT of a group\'s perfect matches', labelNames: ['groupId'], buckets, registers: [registry] }),
  perfectMatchStorageErrors: new Counter({ name: 'perfect_match_storage_errors_total', help: 'Failed writes of perfect matches (error_type: PostgreSQL SQLSTATE or error name)', labelNames: ['groupId', 'error_type'], registers: [registry] }),
  matchingErrors: new Counter({ name: 'matching_errors_total', help: 'Perfect-match strategy runs that threw', labelNames: ['groupId'], registers: [registry] }),
  perfectMatchesSaved: new Counter({ name: 'perfect_matches_saved_total', help: 'Rows written into perfect_matches', labelNames: ['groupId'], registers: [registry] }),
  nodesImported: new Counter({ name: 'nodes_imported_total', help: 'Rows upserted into nodes by imports', labelNames: ['domainId'], registers: [registry] }),
  nodesImportFailedRows: new Counter({ name: 'nodes_import_failed_rows_total', help: 'Rows rejected by imports', labelNames: ['reason'], registers: [registry] }),
  importJobDuration: new Histogram({ name: 'nodes_import_duration', help: 'Seconds of one import-file job', buckets, registers: [registry] }),
  potentialCycleDuration: new Histogram({ name: 'potential_matches_cycle_duration', help: 'Seconds of one group cycle, fetch to finalize', labelNames: ['groupId'], buckets, registers: [registry] }),
  groupCyclesFailed: new Counter({ name: 'potential_matches_cycles_failed_total', help: 'Group cycles ended FAILED', labelNames: ['groupId'], registers: [registry] }),
  circuitBreakerTrips: new Counter({ name: 'group_circuit_breaker_trips_total', help: 'Times a group circuit breaker opened (seed 004 §9)', labelNames: ['groupId'], registers: [registry] }),
  circuitBreakerSkips: new Counter({ name: 'group_circuit_breaker_skips_total', help: 'Scheduled cycles not started because the group circuit breaker was open', labelNames: ['groupId'], registers: [registry] }),
  queueJobs: new Gauge({ name: 'bullmq_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [registry] }),
};
