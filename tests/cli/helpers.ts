// Runs `canary` in-process with captured output.
import { runCli } from "../../src/cli/cli.ts";
import type { CliIO } from "../../src/cli/io.ts";
import { ROOT } from "../replay/helpers.ts";

export interface Captured {
  status: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], options: { cwd?: string; tty?: boolean } = {}): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY: options.tty ?? false,
    cwd: options.cwd ?? ROOT,
  };
  const status = await runCli(args, io);
  return { status, stdout, stderr };
}
