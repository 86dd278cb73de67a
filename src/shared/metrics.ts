// The seeds' Prometheus metric names, one registry per process. Per-group metrics carry groupId,
// and domainId where the original design has it (a group belongs to one domain, so it adds no
// series); never the cycle id, which would make new series every cycle. docs/operations.md lists
// them, and the original metrics that have no counterpart here, with the reason.
import { cpus } from 'node:os';
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

/** Share (0–1) of the machine's CPU time that was busy since the previous scrape (the first: since boot). */
function systemCpuUsage(): () => number {
  let last = { busy: 0, total: 0 };
  return () => {
    let busy = 0;
    let total = 0;
    for (const c of cpus()) {
      const t = c.times;
      busy += t.user + t.nice + t.sys + t.irq;
      total += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    const share = total > last.total ? (busy - last.busy) / (total - last.total) : 0;
    last = { busy, total };
    return Math.min(1, Math.max(0, share));
  };
}
const cpuShare = systemCpuUsage();

export const metrics = {
  potentialMatchesGenerated: counter('potential_matches_generated_total', 'Candidate edges scored above the threshold',
    ['groupId', 'domainId', 'match_type']),
  potentialMatchesSaved: counter('potential_matches_saved_total', 'Rows upserted into potential_matches', ['groupId', 'domainId']),
  matchDrops: counter('match_drops_total', 'Edges dropped by a node\'s top-K (top_k_eviction), or candidate pairs the LSH candidate limit left unscored '
    + '(lsh_candidate_limit)', ['groupId', 'domainId', 'reason', 'match_type']),
  batchMatchesTotalDuration: histogram('batch_matches_total_duration', 'Seconds of one build job: a row page ranked and written', ['groupId', 'domainId']),
  graphPreprocessorDuration: histogram('graph_preprocessor_duration', 'Seconds a build job spent ranking its row page (loading pages, scoring, merging)',
    ['groupId']),
  graphBuildDuration: histogram('graph_build_duration', 'Seconds to load a group\'s graph (perfect stage)', ['groupId', 'match_type']),
  storageProcessorBatchDuration: histogram('storage_processor_batch_duration', 'Seconds of a flush, or of saving a group\'s perfect matches',
    ['table', 'groupId']),
  matchingDuration: histogram('matching_duration', 'Seconds the perfect-match strategy ran', ['groupId', 'domainId', 'strategy']),
  perfectMatchesCreation: histogram('perfect_matches_creation', 'Seconds of one perfect-match-group job', ['groupId', 'domainId']),
  perfectMatchesCreationErrors: counter('perfect_matches_creation_errors_total', 'Failed perfect-match-group runs', ['groupId']),
  perfectStrategyFallbacks: counter(
    'perfect_strategy_fallbacks_total',
    'Perfect-match jobs that ran another strategy than configured because of the group size',
    ['groupId', 'configured', 'ran'],
  ),
  perfectMatchStorageDuration: histogram('perfect_match_storage_duration', 'Seconds of the whole COPY + UPSERT of a group\'s perfect matches', ['groupId']),
  perfectMatchStorageBatchDuration: histogram('perfect_match_storage_batch_duration',
    'Seconds of one batch (MATCH_SAVE_BATCH_SIZE pairs, COPY + UPSERT) of saving a group\'s perfect matches', ['groupId']),
  perfectMatchStorageErrors: counter(
    'perfect_match_storage_errors_total',
    'Failed writes of perfect matches (error_type: PostgreSQL SQLSTATE or error name)',
    ['groupId', 'error_type'],
  ),
  matchingErrors: counter('matching_errors_total', 'Perfect-match strategy runs that threw', ['groupId', 'domainId']),
  perfectMatchesSaved: counter('perfect_matches_saved_total', 'Rows written into perfect_matches', ['groupId']),
  nodesImported: counter('nodes_imported_total', 'Rows upserted into nodes by imports', ['domainId']),
  nodesImportFailedRows: counter('nodes_import_failed_rows_total', 'Rows rejected by imports', ['reason']),
  importJobDuration: histogram('nodes_import_duration', 'Seconds of one import-file job'),
  potentialCycleDuration: histogram('potential_matches_cycle_duration', 'Seconds of one group cycle, fetch to finalize', ['groupId']),
  groupCyclesFailed: counter('potential_matches_cycles_failed_total', 'Group cycles ended FAILED', ['groupId']),
  circuitBreakerTrips: counter('group_circuit_breaker_trips_total', 'Times a group circuit breaker opened', ['groupId']),
  circuitBreakerSkips: counter('group_circuit_breaker_skips_total', 'Scheduled cycles not started because the group circuit breaker was open', ['groupId']),
  recallEstimate: gauge('potential_matches_recall_estimate',
    'Recall estimate of the group\'s last potential cycle: share of a node sample\'s exact top-K the cycle kept', ['groupId']),
  reductionRatio: gauge('potential_matches_reduction_ratio', 'Reduction ratio of the group\'s last potential cycle: 1 - pairs scored / all pairs',
    ['groupId']),
  maxRetriesExceeded: counter('max_retries_exceeded_total', 'Jobs failed for good after their last attempt (or after stalling too often)',
    ['queue', 'job']),
  heapUsageBeforeCleanup: new Gauge({
    name: 'heap_usage_before_cleanup', help: 'Bytes of heap and array buffers when a perfect-match job let go of its group (heapCleanup.ts)',
    registers: [registry],
  }),
  heapUsageAfterCleanup: new Gauge({
    name: 'heap_usage_after_cleanup', help: 'Bytes of heap and array buffers after the first full garbage collection that followed',
    registers: [registry],
  }),
  systemCpuUsage: new Gauge({
    name: 'system_cpu_usage', help: 'Share (0–1) of the whole machine\'s CPU time busy since the previous scrape', registers: [registry],
    collect() {
      this.set(cpuShare());
    },
  }),
  queueJobs: new Gauge({ name: 'bullmq_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [registry] }),
};
