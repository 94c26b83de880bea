// What a command may touch of the outside world: tests pass their own.

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  stderrIsTTY: boolean;
  /** Base of relative paths on the command line. */
  cwd: string;
}

/** The real process streams. `canary … | head` ends quietly instead of with an EPIPE trace. */
export function processIO(): CliIO {
  const quietOnEpipe = (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  };
  process.stdout.on("error", quietOnEpipe);
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    cwd: process.cwd(),
  };
}
