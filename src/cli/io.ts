// What a command may touch of the outside world: tests pass their own.

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  stderrIsTTY: boolean;
  /** Base of relative paths on the command line. */
  cwd: string;
  /** stdout when it is a terminal (live views redraw in place only then); absent when piped or captured. */
  stdoutTerminal?: Terminal;
}

/** What a live view needs of a terminal: its size and when it changes. */
export interface Terminal {
  columns(): number;
  rows(): number;
  /** Calls `fn` after each resize; returns the function that stops it. */
  onResize(fn: () => void): () => void;
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
    ...(process.stdout.isTTY === true
      ? {
          stdoutTerminal: {
            columns: () => process.stdout.columns || 80,
            rows: () => process.stdout.rows || 24,
            onResize: (fn: () => void) => {
              process.stdout.on("resize", fn);
              return () => void process.stdout.off("resize", fn);
            },
          },
        }
      : {}),
  };
}
