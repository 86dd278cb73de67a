/** One `matchflow` subcommand (its one-line summary is in src/cli.ts). `run` returns the process exit code. */
export interface Command {
  name: string;
  /** full help text shown by `matchflow <name> --help` */
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Exit codes shared by every subcommand. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unavailable: 3,
} as const;

export class UsageError extends Error {}

/** A command that cannot go on, for a reason its one-line message gives: exit 1, no stack trace. */
export class CommandFailure extends Error {}
