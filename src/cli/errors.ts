// Errors a command throws to end with a message and an exit status; the top-level catch in
// cli.ts turns them (and the replay's ScenarioError and ModuleError) into both.

/** Exit statuses of `canary`. */
export const EXIT = {
  ok: 0,
  /** replay: an expectation failed; verify: a module broke a rule. */
  failed: 1,
  /** Bad usage, a refused scenario or a refused module: nothing ran. */
  refused: 2,
  /** A bug in canary itself. */
  internal: 70,
} as const;

/** A known failure: `message` says what happened, `hint` how to fix it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT.refused,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** The command line itself is wrong: the command's usage is printed after the message. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
