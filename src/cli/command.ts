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

const HELP = { help: { type: "boolean", short: "h" } } as const;

/** What parseCommandLine returns: node:util's own result type for these options plus --help. */
export type ParsedCommandLine<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: true; strict: true }>>;

/** node:util parseArgs, strict, with its errors turned into UsageError. */
export function parseCommandLine<O extends Options>(argv: string[], options: O): ParsedCommandLine<O> {
  try {
    return parseArgs({ args: argv, options: { ...options, ...HELP }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
}
