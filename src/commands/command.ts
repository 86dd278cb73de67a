/** One `matchflow` subcommand. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
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
