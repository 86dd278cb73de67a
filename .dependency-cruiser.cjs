// Import rules that keep the layout docs/architecture.md describes: a pure matching core, pipelines
// that do not know the worker runtime, terminal code that nothing below the CLI depends on, no cycles.
// Type-only imports count too (tsPreCompilationDeps): a type import still ties two modules.

// Node built-ins that do I/O, or read the clock or the process
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|http|http2|https|tls|dgram|dns|dns/promises|child_process|worker_threads|cluster|' +
  'readline|repl|inspector|os|process|perf_hooks|timers|timers/promises|stream|stream/promises|v8|vm)$';
// npm packages that talk to a server, a disk or a log
const IO_PACKAGES =
  '^node_modules/(pg|pg-copy-streams|ioredis|bullmq|kafkajs|minio|lmdb|express|@bull-board/[^/]+|pino|prom-client|csv-parse)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'matching-no-io',
      comment: 'src/matching is pure functions over typed arrays: no I/O, no clock, no process state.',
      severity: 'error',
      from: { path: '^src/matching/' },
      to: { path: [IO_BUILTINS, IO_PACKAGES] },
    },
    {
      name: 'matching-inward',
      comment: 'src/matching imports only src/matching: not src/shared (config above all), nor pipelines, nor tools.',
      severity: 'error',
      from: { path: '^src/matching/' },
      to: { path: '^(src/(?!matching/)|dashboard/|bench/|test/)' },
    },
    {
      name: 'commands-from-cli-only',
      comment: 'src/commands prints to a terminal; only the CLI (and the tests of commands) may import it.',
      severity: 'error',
      from: { path: '^(src|dashboard|bench)/', pathNot: '^src/(commands/|cli\\.ts$)' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'pipelines-not-runtime',
      comment: 'src/import, src/potential and src/perfect are handed to the runtime; they do not import src/workers.',
      severity: 'error',
      from: { path: '^src/(import|potential|perfect)/' },
      to: { path: '^src/workers/' },
    },
    {
      name: 'src-not-tests',
      comment: 'Product code does not depend on test support.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, bench/ and test/ included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
