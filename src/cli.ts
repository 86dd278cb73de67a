// The `matchflow` command: dispatches to one module per subcommand.
import { ConfigError } from './shared/config.ts';
import { EXIT, UsageError, type Command } from './commands/command.ts';
import { migrateCommand } from './commands/migrate.ts';
import { configCommand } from './commands/configCommand.ts';
import { demoCommand } from './commands/demo.ts';
import { workerCommand } from './commands/worker.ts';
import { benchCommand } from './commands/bench.ts';
import { dashboardCommand } from './commands/dashboard.ts';
import { importCommand } from './commands/import.ts';
import { solveCommand } from './commands/solve.ts';
import { runCommand } from './commands/run.ts';
import { producerCommand } from './commands/producer.ts';
import { nodesCommand } from './commands/nodes.ts';
import { groupsCommand } from './commands/groups.ts';
import { explainCommand } from './commands/explain.ts';
import { dieWithWrapper } from './shared/wrapperWatch.ts';

dieWithWrapper();

const COMMANDS: Command[] = [
  migrateCommand, demoCommand, workerCommand, producerCommand, runCommand,
  importCommand, nodesCommand, groupsCommand, explainCommand, solveCommand, dashboardCommand, benchCommand, configCommand,
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

// PostgreSQL's "relation does not exist": the schema was never migrated.
const UNDEFINED_TABLE = '42P01';

/** node:util parseArgs refusing an option or its value: a usage error, not a crash. */
function isParseArgsError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS_');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`matchflow: unknown command '${name}'\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help + '\n');
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      process.stderr.write(`matchflow ${name}: ${(err as Error).message}\n\n${cmd.help}\n`);
      return EXIT.usage;
    }
    if ((err as { code?: string }).code === UNDEFINED_TABLE) {
      process.stderr.write(`matchflow ${name}: ${(err as Error).message}: is the database migrated? Run \`matchflow migrate\` (schema DB_SCHEMA).\n`);
      return EXIT.failed;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`matchflow: configuration error: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`matchflow ${name}: ${(err as Error).stack ?? err}\n`);
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
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(EXIT.failed);
  },
);
