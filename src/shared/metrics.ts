// The seeds' Prometheus metric names (seed 003 §7, seed 004 §10), one registry per process.
import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const buckets = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

// every metric goes to the one registry; histograms share the buckets above
const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
  new Counter<L>({ name, help, labelNames, registers: [registry] });
const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
  new Gauge<L>({ name, help, labelNames, registers: [registry] });
const histogram = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
  new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });

export const metrics = {
  potentialMatchesGenerated: counter('potential_matches_generated_total', 'Candidate edges scored above the threshold', ['groupId', 'match_type']),
  potentialMatchesSaved: counter('potential_matches_saved_total', 'Rows upserted into potential_matches', ['groupId']),
  matchDrops: counter('match_drops_total', 'Edges dropped (top-K eviction, queue timeout)', ['groupId', 'reason', 'match_type']),
  batchMatchesTotalDuration: histogram('batch_matches_total_duration', 'Seconds to score one chunk pair', ['groupId']),
  graphBuildDuration: histogram('graph_build_duration', 'Seconds to build a group graph', ['groupId', 'match_type']),
  storageProcessorBatchDuration: histogram('storage_processor_batch_duration', 'Seconds to COPY + UPSERT one batch', ['table']),
  matchingDuration: histogram('matching_duration', 'Seconds the perfect-match strategy ran', ['groupId', 'strategy']),
  perfectMatchesCreation: histogram('perfect_matches_creation', 'Seconds of one perfect-match-group job', ['groupId']),
  perfectMatchesCreationErrors: counter('perfect_matches_creation_errors_total', 'Failed perfect-match-group runs', ['groupId']),
  perfectStrategyFallbacks: counter(
    'perfect_strategy_fallbacks_total',
    'Perfect-match jobs that ran another strategy than configured because of the group size',
    ['groupId', 'configured', 'ran'],
  ),
  perfectMatchStorageDuration: histogram('perfect_match_storage_duration', 'Seconds of the whole COPY + UPSERT of a group\'s perfect matches', ['groupId']),
  perfectMatchStorageErrors: counter(
    'perfect_match_storage_errors_total',
    'Failed writes of perfect matches (error_type: PostgreSQL SQLSTATE or error name)',
    ['groupId', 'error_type'],
  ),
  matchingErrors: counter('matching_errors_total', 'Perfect-match strategy runs that threw', ['groupId']),
  perfectMatchesSaved: counter('perfect_matches_saved_total', 'Rows written into perfect_matches', ['groupId']),
  nodesImported: counter('nodes_imported_total', 'Rows upserted into nodes by imports', ['domainId']),
  nodesImportFailedRows: counter('nodes_import_failed_rows_total', 'Rows rejected by imports', ['reason']),
  importJobDuration: histogram('nodes_import_duration', 'Seconds of one import-file job'),
  potentialCycleDuration: histogram('potential_matches_cycle_duration', 'Seconds of one group cycle, fetch to finalize', ['groupId']),
  groupCyclesFailed: counter('potential_matches_cycles_failed_total', 'Group cycles ended FAILED', ['groupId']),
  circuitBreakerTrips: counter('group_circuit_breaker_trips_total', 'Times a group circuit breaker opened (seed 004 §9)', ['groupId']),
  circuitBreakerSkips: counter('group_circuit_breaker_skips_total', 'Scheduled cycles not started because the group circuit breaker was open', ['groupId']),
  recallEstimate: gauge('potential_matches_recall_estimate',
    'Recall estimate of the group\'s last potential cycle: share of a node sample\'s exact top-K the cycle kept', ['groupId']),
  reductionRatio: gauge('potential_matches_reduction_ratio', 'Reduction ratio of the group\'s last potential cycle: 1 - pairs scored / all pairs',
    ['groupId']),
  queueJobs: new Gauge({ name: 'bullmq_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [registry] }),
};
