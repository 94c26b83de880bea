// The shape every command module exports.

import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CliIO } from "./io.ts";
import { UsageError } from "./errors.ts";

export interface Command {
  name: string;
  /** One line for `canary --help`. */
  summary: string;
  /** The full `canary <name> --help` text. */
  usage: string;
  /** Returns the exit status; throws CliError (or ScenarioError, ModuleError) for known failures. */
  run(argv: string[], io: CliIO): Promise<number> | number;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs, strict, with its errors turned into UsageError. */
export function parseCommandLine<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
}
