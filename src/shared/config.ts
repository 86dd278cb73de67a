// One typed configuration for every process, read from environment variables and validated
// at start-up. Defaults follow the seed documents (their Spring keys are kept in `seedKey`).
// docs/configuration.md's table is generated from SETTINGS (`matchflow config --write-docs`).

type Kind = 'string' | 'int' | 'number' | 'bool' | 'list';

interface Setting<K extends Kind = Kind> {
  env: string;
  kind: K;
  default: K extends 'int' | 'number' ? number : K extends 'bool' ? boolean : K extends 'list' ? string[] : string;
  doc: string;
  seedKey?: string;
  min?: number;
  max?: number;
  secret?: boolean;
}

const s = <K extends Kind>(x: Setting<K>): Setting<K> => x;

export const SETTINGS = {
  // connections
  databaseUrl: s({
    env: 'DATABASE_URL', kind: 'string', default: 'postgres://postgres@127.0.0.1:5432/test', secret: true,
    doc: 'PostgreSQL connection string',
  }),
  dbSchema: s({ env: 'DB_SCHEMA', kind: 'string', default: 'public', doc: 'PostgreSQL schema holding matchflow tables (search_path)' }),
  dbWorkerRole: s({
    env: 'DB_WORKER_ROLE', kind: 'string', default: '',
    doc: 'Role that `matchflow migrate` creates for workers and producers, with the row privileges their jobs use on DB_SCHEMA only ' +
      '(no DDL, no TRUNCATE); empty: <DB_SCHEMA>_worker. Workers and producers connect as it through their DATABASE_URL',
  }),
  dbWorkerPassword: s({
    env: 'DB_WORKER_PASSWORD', kind: 'string', default: '', secret: true,
    doc: 'Password `matchflow migrate` gives the worker role (stored as a SCRAM verifier); empty: the role is not created or changed',
  }),
  dbDashboardRole: s({
    env: 'DB_DASHBOARD_ROLE', kind: 'string', default: '',
    doc: 'Role that `matchflow migrate` creates for the dashboard: SELECT on the tables of the ops page only; empty: <DB_SCHEMA>_dashboard',
  }),
  dbDashboardPassword: s({
    env: 'DB_DASHBOARD_PASSWORD', kind: 'string', default: '', secret: true,
    doc: 'Password `matchflow migrate` gives the dashboard role; empty: the role is not created or changed',
  }),
  dbPoolSize: s({
    env: 'DB_POOL_SIZE', kind: 'int', default: 20, min: 1, seedKey: 'spring.datasource.hikari.maximum-pool-size',
    doc: 'PostgreSQL pool size per process',
  }),
  dbConnectionTimeoutMs: s({
    env: 'DB_CONNECTION_TIMEOUT_MS', kind: 'int', default: 30000, min: 100, seedKey: 'spring.datasource.hikari.connection-timeout',
    doc: 'Time to wait for a pooled connection',
  }),
  redisUrl: s({ env: 'REDIS_URL', kind: 'string', default: 'redis://127.0.0.1:6379', doc: 'Redis connection string', secret: true }),
  redisClusterNodes: s({
    env: 'REDIS_CLUSTER_NODES', kind: 'list', default: [],
    doc: 'Redis Cluster nodes to start from (host:port, comma separated). Set: every connection is a cluster client, and QUEUE_PREFIX is '
      + 'wrapped in braces ({matchflow}) so that every key shares one hash slot. Credentials and TLS come from REDIS_URL',
  }),
  redisSentinels: s({
    env: 'REDIS_SENTINELS', kind: 'list', default: [],
    doc: 'Redis Sentinels (host:port, comma separated). Set: every connection asks them for the master of REDIS_SENTINEL_NAME and follows it '
      + 'across failovers. Credentials, database and TLS come from REDIS_URL',
  }),
  redisSentinelName: s({ env: 'REDIS_SENTINEL_NAME', kind: 'string', default: 'mymaster', doc: 'Name of the master the Sentinels of REDIS_SENTINELS monitor' }),
  queuePrefix: s({
    env: 'QUEUE_PREFIX', kind: 'string', default: 'matchflow',
    doc: 'Prefix of every Redis key (BullMQ queues, locks, semaphores); on a Redis Cluster it becomes the hash tag {QUEUE_PREFIX}',
  }),
  // logging
  logLevel: s({
    env: 'LOG_LEVEL', kind: 'string', default: '',
    doc: 'pino log level (trace, debug, info, warn, error, fatal, silent); unset: info, but warn for `matchflow demo` (info with its --verbose)',
  }),
  // scheduling
  potentialCron: s({
    env: 'POTENTIAL_CRON', kind: 'string', default: '0 5 11 * * *', seedKey: 'scheduling.potential-match.cron',
    doc: 'Cron of the potential-match cycle (6 fields, seconds first)',
  }),
  perfectCron: s({
    env: 'PERFECT_CRON', kind: 'string', default: '0 0 3 * * *', seedKey: 'PerfectMatchesCreationScheduler cron',
    doc: 'Cron of the perfect-match sweep (matchflow producer): every group whose perfect result is missing, FAILED or older than its last ' +
      'completed potential cycle gets that cycle\'s perfect run',
  }),
  perfectAfterPotential: s({
    env: 'PERFECT_AFTER_POTENTIAL', kind: 'bool', default: true,
    doc: 'A completed potential cycle enqueues its perfect run at once; false leaves perfect runs to the PERFECT_CRON sweep (the seeds\' nightly run)',
  }),
  cronZone: s({ env: 'CRON_ZONE', kind: 'string', default: 'Asia/Kolkata', doc: 'Time zone of the crons', seedKey: 'scheduling.potential-match.zone' }),
  // concurrency
  maxConcurrentDomains: s({
    env: 'MATCH_MAX_CONCURRENT_DOMAINS', kind: 'int', default: 2, min: 1, seedKey: 'match.max-concurrent-domains',
    doc: 'Domains processed at once across the cluster (Redis semaphore)',
  }),
  maxConcurrentGroups: s({
    env: 'MATCH_MAX_CONCURRENT_GROUPS', kind: 'int', default: 1, min: 1, seedKey: 'match.max-concurrent-groups',
    doc: 'Perfect-match runs of one domain at once, across the cluster (a Redis semaphore per domain)',
  }),
  workerLockDurationMs: s({
    env: 'WORKER_LOCK_DURATION_MS', kind: 'int', default: 30000, min: 1000,
    doc: 'BullMQ job lock; a worker that stops renewing it (crash) has its job retried after this long',
  }),
  workerStalledIntervalMs: s({
    env: 'WORKER_STALLED_INTERVAL_MS', kind: 'int', default: 30000, min: 1000,
    doc: 'How often workers look for stalled jobs of crashed workers',
  }),
  workerMaxStalledCount: s({
    env: 'WORKER_MAX_STALLED_COUNT', kind: 'int', default: 3, min: 0,
    doc: 'Times a job may be found stalled (its worker died or lost Redis past its lock) and run again before it fails for good; ' +
      'BullMQ\'s default of 1 failed cycles whose job was hit twice by a crash or partition (jobs are idempotent, so re-running is safe)',
  }),
  workerConcurrency: s({ env: 'WORKER_CONCURRENCY', kind: 'int', default: 2, min: 1, doc: 'Jobs one worker process runs at once per queue' }),
  // retries
  maxRetries: s({
    env: 'MATCH_MAX_RETRIES', kind: 'int', default: 3, min: 1, seedKey: 'match.max-retries',
    doc: 'Retries of a failed job after its first attempt, with exponential back-off (1 s, 2 s, 4 s with the defaults)',
  }),
  retryDelayMs: s({
    env: 'MATCH_RETRY_DELAY_MILLIS', kind: 'int', default: 1000, min: 0, seedKey: 'match.retry-delay-millis',
    doc: 'First back-off delay; doubles on each retry',
  }),
  // sizes
  nodeFetchBatchSize: s({
    env: 'NODE_FETCH_BATCH_SIZE', kind: 'int', default: 1000, min: 1, seedKey: 'node.fetch.batch-size',
    doc: 'Nodes per keyset page (fetch-page)',
  }),
  saveBatchSize: s({
    env: 'MATCH_SAVE_BATCH_SIZE', kind: 'int', default: 50000, min: 1, seedKey: 'match.save.batch-size',
    doc: 'Rows per COPY batch when saving matches',
  }),
  importBatchSize: s({
    env: 'IMPORT_BATCH_SIZE', kind: 'int', default: 50000, min: 1, seedKey: 'import.batch-size',
    doc: 'Rows per COPY batch when importing nodes',
  }),
  topK: s({
    env: 'MATCHING_TOPK_COUNT', kind: 'int', default: 100, min: 1, seedKey: 'matching.topk.count',
    doc: 'Potential matches kept per node, and top-K of the perfect stage',
  }),
  topKReserve: s({
    env: 'MATCHING_TOPK_RESERVE', kind: 'int', default: 20, min: 0,
    doc: 'Candidates kept per node beyond its top-K (potential_match_reserve), ' +
      'so that an incremental cycle refills a top-K that lost a changed or removed neighbour without scoring the node against the whole group; ' +
      '0 re-scores every such node',
  }),
  maxMemoryMb: s({
    env: 'MATCHING_MAX_MEMORY_MB', kind: 'int', default: 1024, min: 16, seedKey: 'matching.max.memory.mb',
    doc: 'Memory budget of one group in a worker; larger groups go out of core',
  }),
  // perfect-match strategies
  perfectDenseMaxCells: s({
    env: 'PERFECT_DENSE_MAX_CELLS', kind: 'int', default: 16000000, min: 0,
    doc: 'The assignment strategy uses the dense solver only when (left nodes × right nodes with an edge) is at most this (8 bytes a cell)',
  }),
  perfectDenseMinDensity: s({
    env: 'PERFECT_DENSE_MIN_DENSITY', kind: 'number', default: 0.2, min: 0, max: 1,
    doc: 'The assignment strategy uses the dense solver only when at least this fraction of those cells has an edge',
  }),
  perfectAuctionBits: s({
    env: 'PERFECT_AUCTION_BITS', kind: 'int', default: 20, min: 1, max: 30,
    doc: 'The auction strategy is exact for scores rounded to max score / 2^bits',
  }),
  perfectBlossomMaxNodes: s({
    env: 'PERFECT_BLOSSOM_MAX_NODES', kind: 'int', default: 100000, min: 0,
    doc: 'A perfect-match job runs blossom (and hopcroft-karp on one node set) only up to this many nodes; ' +
      'above it greedy runs instead, and bipartite groups use assignment (same optimum). 0 = no limit',
  }),
  stableCapacity: s({
    env: 'PERFECT_STABLE_CAPACITY', kind: 'int', default: 1, min: 1,
    doc: 'Default number of partners a right-side node may take in the stable strategy (hospitals/residents)',
  }),
  // LSH
  lshNumTables: s({
    env: 'MATCHING_LSH_NUM_TABLES', kind: 'int', default: 5, min: 1, seedKey: 'matching.lsh.num-tables',
    doc: 'MinHash LSH tables; bands = tables × bands per table',
  }),
  lshBandsPerTable: s({
    env: 'MATCHING_LSH_BANDS_PER_TABLE', kind: 'int', default: 20, min: 1, seedKey: 'matching.lsh.bands-per-table',
    doc: 'MinHash bands per table (each band is one hash-table lookup)',
  }),
  lshCandidateLimit: s({
    env: 'MATCHING_LSH_CANDIDATE_LIMIT', kind: 'int', default: 0, min: 0, seedKey: 'matching.lsh.candidate-limit',
    doc: 'Most LSH candidates a node is scored against (its best by bands shared, then a pair hash); 0: no limit. ' +
      'The seed\'s 1,000 capped most nodes of large groups, which incremental cycles must then re-score in full (docs/benchmarks.md)',
  }),
  lshSimilarityThreshold: s({
    env: 'MATCHING_LSH_SIMILARITY_THRESHOLD', kind: 'number', default: 0.55, min: 0.01, max: 0.99, seedKey: 'matching.lsh.similarity-threshold',
    doc: 'Compatibility score at which the LSH S-curve is centred: rows per band = round(ln(bands) / ln(1/t)). ' +
      'The seed had 0.7 for a Jaccard of tokens; 0.55 keeps recall@100 ≥ 0.95 on the synthetic groups',
  }),
  cyclePermitRetryMs: s({
    env: 'POTENTIAL_PERMIT_RETRY_MS', kind: 'int', default: 5000, min: 10,
    doc: 'A cycle that finds no free domain permit waits this long (delayed job) before trying again',
  }),
  perfectPermitRetryMs: s({
    env: 'PERFECT_PERMIT_RETRY_MS', kind: 'int', default: 5000, min: 10,
    doc: 'A perfect run that finds its domain at MATCH_MAX_CONCURRENT_GROUPS waits this long (delayed job, no attempt used) before trying again',
  }),
  scoringThreads: s({
    env: 'MATCHING_SCORING_THREADS', kind: 'int', default: 1, min: 1,
    doc: 'Worker threads per worker process that score chunk pairs off the event loop (scale with worker replicas)',
  }),
  lshSeed: s({ env: 'MATCHING_LSH_SEED', kind: 'int', default: 1, min: 0, doc: 'Seed of the MinHash functions (the same for every page of a cycle)' }),
  // match quality
  qualityRecallSample: s({
    env: 'QUALITY_RECALL_SAMPLE', kind: 'int', default: 200, min: 0,
    doc: 'Nodes per potential cycle (a seeded random sample) whose exact flat top-K finalize-group computes, to estimate the recall of the '
      + 'cycle\'s candidates: the share of those top-K entries the cycle kept. 0: no estimate',
  }),
  qualityRecallWarnBelow: s({
    env: 'QUALITY_RECALL_WARN_BELOW', kind: 'number', default: 0.9, min: 0, max: 1,
    doc: 'A cycle whose recall estimate is below this is logged as a warning, and flagged on the group\'s dashboard page',
  }),
  // coordination
  groupLockTtlMs: s({ env: 'GROUP_LOCK_TTL_MS', kind: 'int', default: 60000, min: 1000, doc: 'TTL of the per-group cycle lock (refreshed while held)' }),
  domainSemaphoreTtlMs: s({
    env: 'DOMAIN_SEMAPHORE_TTL_MS', kind: 'int', default: 60000, min: 1000,
    doc: 'TTL of a permit of the domain semaphores (potential cycles, and perfect runs per domain), refreshed while held',
  }),
  leaderLeaseTtlMs: s({ env: 'LEADER_LEASE_TTL_MS', kind: 'int', default: 15000, min: 1000, doc: 'TTL of the producer leader lease' }),
  coordinationRetryMs: s({
    env: 'COORDINATION_RETRY_MS', kind: 'int', default: 100, min: 1,
    doc: 'Poll interval (with jitter) of a process waiting for a lock or semaphore permit',
  }),
  // circuit breaker per group
  circuitBreakerFailureThreshold: s({
    env: 'CIRCUIT_BREAKER_FAILURE_THRESHOLD', kind: 'int', default: 5, min: 1,
    doc: 'Consecutive failed cycles of a group that open its circuit breaker (the scheduler skips the group while open)',
  }),
  circuitBreakerOpenMs: s({
    env: 'CIRCUIT_BREAKER_OPEN_MS', kind: 'int', default: 900000, min: 0,
    doc: 'How long an open breaker stays open before one trial cycle is let through (half-open; the original design waits 15 minutes)',
  }),
  // retention of finished jobs in Redis
  removeOnCompleteAgeSec: s({ env: 'JOBS_KEEP_COMPLETED_SECONDS', kind: 'int', default: 86400, min: 0, doc: 'Completed jobs are kept this long in Redis' }),
  removeOnFailAgeSec: s({ env: 'JOBS_KEEP_FAILED_SECONDS', kind: 'int', default: 604800, min: 0, doc: 'Failed jobs are kept this long in Redis' }),
  // import
  importRoot: s({ env: 'IMPORT_ROOT', kind: 'string', default: './data/imports', doc: 'Local files may be imported only from under this directory' }),
  importMaxFieldLength: s({ env: 'IMPORT_MAX_FIELD_LENGTH', kind: 'int', default: 4096, min: 1, doc: 'Longest accepted CSV value (characters)' }),
  importMaxRecordSize: s({
    env: 'IMPORT_MAX_RECORD_SIZE', kind: 'int', default: 1048576, min: 1024,
    doc: 'Longest CSV record (one row, all fields, characters) the parser buffers; a longer one (a giant field, an unclosed quote) fails the import',
  }),
  importMaxInflateRatio: s({
    env: 'IMPORT_MAX_INFLATE_RATIO', kind: 'int', default: 200, min: 2,
    doc: 'A gzip input inflating more than this many times its compressed size is refused as a gzip bomb',
  }),
  importWorkMem: s({
    env: 'IMPORT_WORK_MEM', kind: 'string', default: '64MB',
    doc: 'PostgreSQL work_mem of an import transaction: the per-batch sort that keeps the last row of each reference id stays in memory',
  }),
  importNewKeyMaxKeys: s({
    env: 'IMPORT_NEW_KEY_MAX_KEYS', kind: 'int', default: 2000000, min: 0,
    doc: 'Reference ids (existing in the group plus read from the file) an import remembers, 8–16 bytes each, ' +
      'so that new nodes take a plain INSERT instead of the UPSERT; past this many the rest of the import takes the UPSERT. ' +
      '0 turns it off',
  }),
  importMaxRecordedFailedRows: s({
    env: 'IMPORT_MAX_RECORDED_FAILED_ROWS', kind: 'int', default: 10000, min: 0,
    doc: 'Rejected rows recorded per import in nodes_import_failed_row (all are counted)',
  }),
  s3Endpoint: s({ env: 'S3_ENDPOINT', kind: 'string', default: '', doc: 'MinIO/S3 endpoint URL (for example http://minio:9000); empty disables S3 sources' }),
  s3AccessKey: s({ env: 'S3_ACCESS_KEY', kind: 'string', default: '', doc: 'MinIO/S3 access key', secret: true }),
  s3SecretKey: s({ env: 'S3_SECRET_KEY', kind: 'string', default: '', doc: 'MinIO/S3 secret key', secret: true }),
  s3Region: s({ env: 'S3_REGION', kind: 'string', default: 'us-east-1', doc: 'MinIO/S3 region' }),
  s3AllowedBuckets: s({
    env: 'S3_ALLOWED_BUCKETS', kind: 'list', default: [],
    doc: 'Buckets import requests may name (comma separated); empty: any bucket of S3_ENDPOINT',
  }),
  // kafka
  kafkaBrokers: s({ env: 'KAFKA_BROKERS', kind: 'list', default: [], doc: 'Kafka brokers (comma separated); empty disables Kafka' }),
  kafkaClientId: s({ env: 'KAFKA_CLIENT_ID', kind: 'string', default: 'matchflow', doc: 'Kafka client id' }),
  kafkaGroupId: s({ env: 'KAFKA_GROUP_ID', kind: 'string', default: 'matchflow-import', doc: 'Kafka consumer group' }),
  kafkaTopicPattern: s({
    env: 'KAFKA_IMPORT_TOPIC_PATTERN', kind: 'string', default: '^.+-users$',
    doc: 'Regular expression of the import request topics ({domain}-users)',
  }),
  kafkaStatusTopic: s({
    env: 'KAFKA_STATUS_TOPIC', kind: 'string', default: 'nodes-transfer-job-status',
    doc: 'Topic of NodesTransferJobExchange status events',
  }),
  kafkaDlqTopic: s({ env: 'KAFKA_DLQ_TOPIC', kind: 'string', default: 'nodes-import-dlq', doc: 'Dead-letter topic for bad or failing import requests' }),
  statusListCap: s({ env: 'STATUS_LIST_CAP', kind: 'int', default: 1000, min: 0, doc: 'Most reference ids listed in a status event success/failed list' }),
  // http
  apiPort: s({ env: 'API_PORT', kind: 'int', default: 8080, min: 0, max: 65535, doc: 'Port of the enqueue API' }),
  apiTokens: s({
    env: 'API_TOKENS', kind: 'list', default: [], secret: true,
    doc: 'Bearer tokens accepted by the enqueue API (comma separated); empty: no token needed, and the API listens on 127.0.0.1 only',
  }),
  authDisabled: s({
    env: 'AUTH_DISABLED', kind: 'bool', default: false,
    doc: 'true: without API_TOKENS the enqueue API, and without DASHBOARD_USERS the dashboard (with its one-off admin login), ' +
      'listen on every interface; false: they listen on 127.0.0.1 only',
  }),
  httpBodyLimit: s({ env: 'HTTP_BODY_LIMIT', kind: 'string', default: '1mb', doc: 'Largest accepted HTTP request body' }),
  dashboardPort: s({ env: 'DASHBOARD_PORT', kind: 'int', default: 3000, min: 0, max: 65535, doc: 'Port of the dashboard (Bull Board + ops page)' }),
  dashboardUsers: s({
    env: 'DASHBOARD_USERS', kind: 'list', default: [], secret: true,
    doc: 'Dashboard users as name:password:role (role operator or readonly), comma separated; empty: a one-off operator \'admin\' ' +
      'whose password is logged, and the dashboard listens on 127.0.0.1 only',
  }),
  dashboardSessionSecret: s({
    env: 'DASHBOARD_SESSION_SECRET', kind: 'string', default: '', secret: true,
    doc: 'Key that signs dashboard session cookies; ' +
      'empty: a random key per process (sessions end on restart; set one when running several dashboard replicas)',
  }),
  dashboardSessionTtlSec: s({ env: 'DASHBOARD_SESSION_TTL_SECONDS', kind: 'int', default: 28800, min: 60, doc: 'Lifetime of a dashboard login session' }),
  dashboardCookieSecure: s({
    env: 'DASHBOARD_COOKIE_SECURE', kind: 'string', default: 'auto',
    doc: 'Secure attribute of the session cookie: true, false, or auto (Secure when NODE_ENV is production, in any case, ' +
      'or the request came over HTTPS; X-Forwarded-Proto counts only from a proxy DASHBOARD_TRUST_PROXY trusts)',
  }),
  dashboardTrustProxy: s({
    env: 'DASHBOARD_TRUST_PROXY', kind: 'string', default: '',
    doc: 'Proxies whose X-Forwarded-For/-Proto/-Host the dashboard believes (express "trust proxy"): empty for none, true, ' +
      'a number of hops, or addresses and subnets (loopback, 10.0.0.0/8, comma separated). Logged client addresses and ' +
      'login throttling use the address it yields',
  }),
  dashboardLoginMaxFailures: s({
    env: 'DASHBOARD_LOGIN_MAX_FAILURES', kind: 'int', default: 5, min: 1,
    doc: 'Failed logins in a row for one user name after which each further failure locks the name out, for 1 s, 2 s, 4 s, … ' +
      '(429 with Retry-After)',
  }),
  dashboardLoginMaxFailuresPerAddress: s({
    env: 'DASHBOARD_LOGIN_MAX_FAILURES_PER_ADDRESS', kind: 'int', default: 20, min: 1,
    doc: 'The same for one client address, whatever the user names tried',
  }),
  dashboardLoginLockoutSec: s({
    env: 'DASHBOARD_LOGIN_LOCKOUT_SECONDS', kind: 'int', default: 900, min: 1,
    doc: 'Longest login lockout; failures are forgotten after this long without another',
  }),
  dashboardHistogramBuckets: s({
    env: 'DASHBOARD_HISTOGRAM_BUCKETS', kind: 'int', default: 20, min: 1, max: 200,
    doc: 'Buckets of the compatibility-score histogram on the ops page',
  }),
  dashboardHistogramCacheSec: s({
    env: 'DASHBOARD_HISTOGRAM_CACHE_SECONDS', kind: 'int', default: 300, min: 0,
    doc: 'A group\'s score histogram is recomputed when its last potential run changes, or after this long (0: on every page view)',
  }),
  dashboardRefreshSec: s({ env: 'DASHBOARD_REFRESH_SECONDS', kind: 'int', default: 30, min: 0, doc: 'The ops page reloads itself this often (0: never)' }),
  dashboardMaxGroups: s({ env: 'DASHBOARD_MAX_GROUPS', kind: 'int', default: 200, min: 1, doc: 'Groups listed on the ops page (by domain and group name)' }),
  metricsPort: s({
    env: 'METRICS_PORT', kind: 'int', default: 9464, min: 0, max: 65535,
    doc: 'Port of /metrics, /healthz, /readyz on worker and producer processes',
  }),
  healthCheckTimeoutMs: s({
    env: 'HEALTH_CHECK_TIMEOUT_MS', kind: 'int', default: 2000, min: 1,
    doc: '/readyz reports a dependency (PostgreSQL, Redis) down when it does not answer within this time',
  }),
  shutdownTimeoutMs: s({ env: 'SHUTDOWN_TIMEOUT_MS', kind: 'int', default: 30000, min: 0, doc: 'Deadline for a graceful shutdown on SIGTERM' }),
  nodeEnv: s({
    env: 'NODE_ENV', kind: 'string', default: 'development',
    doc: 'production (in any case) makes DASHBOARD_COOKIE_SECURE=auto mark session cookies Secure; nothing else depends on it',
  }),
  // local store
  lmdbPath: s({
    env: 'LMDB_PATH', kind: 'string', default: './data/lmdb', seedKey: 'lmdb.path',
    doc: 'Worker-local LMDB directory (edge spill, page cache); losing it loses no data',
  }),
  lmdbMapSizeBytes: s({ env: 'LMDB_MAP_SIZE', kind: 'number', default: 107374182400, min: 1048576, doc: 'LMDB map size in bytes', seedKey: 'lmdb.map-size' }),
} as const;

type SettingValue<T> = T extends Setting<infer K>
  ? K extends 'int' | 'number' ? number : K extends 'bool' ? boolean : K extends 'list' ? string[] : string
  : never;

export type Config = { readonly [P in keyof typeof SETTINGS]: SettingValue<(typeof SETTINGS)[P]> };

export class ConfigError extends Error {}

function parse(name: string, setting: Setting, raw: string): unknown {
  switch (setting.kind) {
    case 'string':
      return raw;
    case 'list':
      return raw.split(',').map((x) => x.trim()).filter(Boolean);
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${setting.env}=${raw}: expected true or false`);
    case 'int':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || (setting.kind === 'int' && !Number.isInteger(n))) {
        throw new ConfigError(`${setting.env}=${raw}: expected ${setting.kind === 'int' ? 'an integer' : 'a number'} (${name})`);
      }
      if (setting.min !== undefined && n < setting.min) throw new ConfigError(`${setting.env}=${raw}: must be ≥ ${setting.min}`);
      if (setting.max !== undefined && n > setting.max) throw new ConfigError(`${setting.env}=${raw}: must be ≤ ${setting.max}`);
      return n;
    }
  }
}

/** Reads and validates every setting; throws ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [string, Setting][]) {
    const raw = env[setting.env];
    out[name] = raw === undefined || raw === '' ? setting.default : parse(name, setting, raw);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(String(out.dbSchema))) throw new ConfigError(`DB_SCHEMA=${out.dbSchema}: not a plain identifier`);
  if (String(out.queuePrefix).includes(':') || out.queuePrefix === '') {
    throw new ConfigError(`QUEUE_PREFIX=${out.queuePrefix}: must be non-empty and contain no ':'`);
  }
  const merged = { ...out, ...overrides } as Record<string, unknown>;
  checkRedisTopology(merged.redisClusterNodes as string[], merged.redisSentinels as string[]);
  if ((merged.redisClusterNodes as string[]).length) merged.queuePrefix = hashTagged(String(merged.queuePrefix));
  return Object.freeze(merged) as Config;
}

function checkRedisTopology(clusterNodes: string[], sentinels: string[]): void {
  if (clusterNodes.length && sentinels.length) throw new ConfigError('REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one or the other, not both');
  for (const [env, list] of [['REDIS_CLUSTER_NODES', clusterNodes], ['REDIS_SENTINELS', sentinels]] as const) {
    for (const node of list) {
      if (!/^[^\s:,]+:\d{1,5}$/.test(node) || Number(node.slice(node.lastIndexOf(':') + 1)) > 65535) {
        throw new ConfigError(`${env}: '${node}' is not host:port`);
      }
    }
  }
}

/**
 * A Redis Cluster runs a multi-key command or script only when its keys share a hash slot, and
 * BullMQ's scripts span a queue's keys: braces make the whole prefix the hash tag of every key.
 */
function hashTagged(prefix: string): string {
  return /\{[^}]+\}/.test(prefix) ? prefix : `{${prefix}}`;
}

let cached: Config | undefined;
/** The process-wide configuration, loaded once from process.env. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Markdown table of every setting, for docs/configuration.md and `matchflow config --markdown`. */
export function settingsMarkdown(): string {
  const rows = Object.values(SETTINGS as Record<string, Setting>).map((x) => {
    const def = Array.isArray(x.default) ? x.default.join(',') : String(x.default);
    return `| \`${x.env}\` | \`${def === '' ? '(empty)' : def}\` | ${x.doc}${x.seedKey ? ` (seed: \`${x.seedKey}\`)` : ''} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The configuration with secrets masked, for logs and `matchflow config`. */
export function redactedConfig(cfg: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [string, Setting][]) {
    const v = (cfg as unknown as Record<string, unknown>)[name];
    out[setting.env] = setting.secret && v !== '' && !(Array.isArray(v) && v.length === 0) ? '[redacted]' : v;
  }
  return out;
}
