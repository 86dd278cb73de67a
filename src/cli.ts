// The `matchflow` command: dispatches to one module per subcommand, loaded only when it runs (the
// help of every command must not wait for BullMQ, pg and express to load).
import { config, ConfigError } from './shared/config.ts';
import { CommandFailure, EXIT, UsageError, type Command } from './commands/command.ts';

interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

const COMMANDS: CommandEntry[] = [
  { name: 'migrate', summary: 'apply pending SQL migrations to DB_SCHEMA', load: async () => (await import('./commands/migrate.ts')).migrateCommand },
  {
    name: 'demo', summary: 'migrate, generate a synthetic domain and run the whole pipeline on it in this process',
    load: async () => (await import('./commands/demo.ts')).demoCommand,
  },
  {
    name: 'worker', summary: 'run BullMQ workers for the import, potential and perfect queues until SIGTERM',
    load: async () => (await import('./commands/worker.ts')).workerCommand,
  },
  {
    name: 'producer', summary: 'run the scheduler (leader lease), the enqueue HTTP API and the Kafka import consumer',
    load: async () => (await import('./commands/producer.ts')).producerCommand,
  },
  {
    name: 'run', summary: 'start a stage for one group now (potential, perfect), optionally waiting for it',
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  {
    name: 'import', summary: 'enqueue the import of a CSV file (local, or s3://…) or wait for it with a progress bar',
    load: async () => (await import('./commands/import.ts')).importCommand,
  },
  {
    name: 'nodes', summary: 'remove nodes (people) from a group, with every match that names them',
    load: async () => (await import('./commands/nodes.ts')).nodesCommand,
  },
  {
    name: 'solve', summary: 'run a perfect-match strategy on a CSV of scored edges (offline, no database)',
    load: async () => (await import('./commands/solve.ts')).solveCommand,
  },
  {
    name: 'dashboard', summary: 'serve Bull Board and the ops page (behind a login) until SIGTERM',
    load: async () => (await import('./commands/dashboard.ts')).dashboardCommand,
  },
  {
    name: 'bench', summary: 'run the benchmarks of bench/ (in a source checkout) and print their tables',
    load: async () => (await import('./commands/bench.ts')).benchCommand,
  },
  {
    name: 'config', summary: 'print the effective configuration (secrets masked), or --markdown for every setting',
    load: async () => (await import('./commands/configCommand.ts')).configCommand,
  },
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `matchflow — entity matching at scale on BullMQ, Redis and PostgreSQL

Usage: matchflow <command> [options]      matchflow <command> --help

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Configuration comes from environment variables: run \`matchflow config --markdown\` for the list.
Exit codes: 0 success, 1 failure, 2 usage error, 3 PostgreSQL or Redis unreachable.
`;
}

// PostgreSQL's "relation does not exist": a table the migrations should have made is missing.
const UNDEFINED_TABLE = '42P01';

/** node:util parseArgs refusing an option or its value: a usage error, not a crash. */
function isParseArgsError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS_');
}

/** An error as one line: a person reads it, and a stack trace tells them nothing. */
function oneLine(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown; errors?: unknown[] };
  // pg gives an AggregateError with an empty message when every address refused the connection
  const text = (typeof e?.message === 'string' && e.message) || (Array.isArray(e?.errors) && e.errors.length ? oneLine(e.errors[0]) : '')
    || (typeof e?.code === 'string' ? e.code : String(err));
  return text.replace(/\s*\n\s*/g, ' ');
}

/** The stack, for whoever asked for debug logs; nobody else. */
function debugStack(err: unknown): string {
  let level: string;
  try {
    level = config().logLevel;
  } catch {
    return '';
  }
  return (level === 'debug' || level === 'trace') && err instanceof Error && err.stack ? `${err.stack}\n` : '';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`matchflow: unknown command '${name}'\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help + '\n');
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      process.stderr.write(`matchflow ${name}: ${oneLine(err)}\n\n${cmd.help}\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`matchflow: configuration error: ${oneLine(err)}\n`);
      return EXIT.usage;
    }
    if (err instanceof CommandFailure) {
      process.stderr.write(`matchflow ${name}: ${oneLine(err)}\n`);
      return EXIT.failed;
    }
    if ((err as { code?: string }).code === UNDEFINED_TABLE) {
      process.stderr.write(`matchflow ${name}: ${oneLine(err)}: is the database migrated? Run \`matchflow migrate\` (schema DB_SCHEMA).\n`);
      return EXIT.failed;
    }
    process.stderr.write(`matchflow ${name}: error: ${oneLine(err)}\n${debugStack(err)}`);
    return EXIT.failed;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Open handles (pools, Redis) must not keep a finished command alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err) => {
    process.stderr.write(`matchflow: error: ${oneLine(err)}\n${debugStack(err)}`);
    process.exit(EXIT.failed);
  },
);
