// `canary`: the command registry, help, and the one top-level catch that turns known errors
// into an exit status and a message that says how to fix it.

import { ScenarioError } from "../replay/scenario.ts";
import { ModuleError } from "../replay/module.ts";
import type { Command } from "./command.ts";
import { bucketCommand } from "./commands/bucket.ts";
import { inspectCommand } from "./commands/inspect.ts";
import { replayCommand } from "./commands/replay.ts";
import { verifyCommand } from "./commands/verify.ts";
import { nodeCommand } from "./commands/node.ts";
import { txCommand } from "./commands/tx.ts";
import { callCommand } from "./commands/call.ts";
import { keysCommand } from "./commands/keys.ts";
import { labCommand } from "./commands/lab.ts";
import { watchCommand } from "./commands/watch.ts";
import { CliError, EXIT, UsageError } from "./errors.ts";
import { MissingDependencyError } from "../optionalDependencies.ts";
import type { CliIO } from "./io.ts";

export const COMMANDS: readonly Command[] = [replayCommand, inspectCommand, verifyCommand, bucketCommand, nodeCommand, txCommand, callCommand, keysCommand, watchCommand, labCommand];

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: canary <command> [options]",
    "",
    "Rehearse a feature rollout against the canary contract before it goes on chain.",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "`canary <command> --help` describes one command.",
    "examples:",
    "  canary replay scenarios/vita-recovery-rollout.yaml --report rollout.html",
    "  canary replay scenarios/vita-recovery-rollout.yaml --json --blocks none",
    "  canary replay scenarios/vita-recovery-rollout.yaml --db chain && canary inspect --db chain vita_recovery_v2",
    "  canary bucket vita_recovery_v2 0x0000000000000000000000000000000000000000",
    "  canary node & canary watch            (a devnet node, and a live view of its features)",
    "  canary verify",
    "",
  ].join("\n");
}

/** Runs `canary argv…`; returns the exit status and never throws. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const which = name === "help" ? rest[0] : undefined;
    const cmd = which !== undefined ? COMMANDS.find((c) => c.name === which) : undefined;
    if (which !== undefined && !cmd) {
      io.stderr(`canary: unknown command ${JSON.stringify(which)}\n\n${mainUsage()}`);
      return EXIT.refused;
    }
    if (name === undefined) {
      io.stderr(mainUsage());
      return EXIT.refused;
    }
    io.stdout(cmd ? cmd.usage : mainUsage());
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`canary: unknown command ${JSON.stringify(name)}\n\n${mainUsage()}`);
    return EXIT.refused;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    return report(e, cmd, io);
  }
}

function report(e: unknown, cmd: Command, io: CliIO): number {
  const say = (message: string, hint?: string) => io.stderr(`canary ${cmd.name}: ${message}\n${hint ? `  → ${hint}\n` : ""}`);
  if (e instanceof UsageError) {
    say(e.message);
    io.stderr(`\n${cmd.usage}`);
    return e.exitCode;
  }
  if (e instanceof CliError) {
    say(e.message, e.hint);
    return e.exitCode;
  }
  if (e instanceof ScenarioError) {
    const n = e.problems.length;
    io.stderr(`canary ${cmd.name}: the scenario was refused (${n} problem${n === 1 ? "" : "s"}; nothing ran):\n`);
    for (const line of e.message.split("\n")) io.stderr(`  ${line}\n`);
    io.stderr("  → fix the scenario at those paths and run again (REPLAY.md describes the schema)\n");
    return EXIT.refused;
  }
  if (e instanceof MissingDependencyError) {
    say(`${e.packageName} is not installed (an optional peer dependency of onchain-canary)`, `run \`${e.installCommand}\` in the project that installed onchain-canary (or \`npm install\` in a checkout), then run the command again`);
    return EXIT.refused;
  }
  if (e instanceof ModuleError) {
    say(`the module was refused: ${e.message}`, "run `npm run build` to build the modules in build/, or pass --wasm PATH to a module built from assembly/");
    return EXIT.refused;
  }
  io.stderr(`canary ${cmd.name}: internal error (a bug in canary, please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT.internal;
}
