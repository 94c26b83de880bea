// canary verify [WASM...]: the module rules of SPEC section 8 (src/verify).

import type { Command } from "../command.ts";
import { EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { PROJECT_ROOT } from "../paths.ts";

// src/verify/cli.ts loads binaryen (13 MB) when imported: it is imported only when verify runs.
const usage = `usage: canary verify [--debug] [--allow-import MODULE.NAME]... [--cosmwasm] [WASM...]
  no WASM: build/canary.wasm (release) and build/canary.debug.wasm (debug)
  --debug         the given modules are debug builds (env.abort allowed)
  --allow-import  allow one more import, e.g. host.gas
  --cosmwasm      CosmWasm modules (no WASM: build/canary-cw.wasm): CosmWasm's own store-time
                  checks (src/verify/cosmwasm.ts) plus SPEC section 8's determinism rules

Checks each module against SPEC section 8 (exports, imports, determinism, memory cap) and
prints OK or FAIL with every problem by rule. Exit status: 0 all pass, 1 a module failed,
2 bad usage.
`;

export const verifyCommand: Command = {
  name: "verify",
  summary: "check modules against the module rules (SPEC section 8)",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    if (argv.includes("-h") || argv.includes("--help")) {
      io.stdout(usage);
      return EXIT.ok;
    }
    const { parseVerifyArgs, runVerify } = await import("../../verify/cli.ts");
    const parsed = parseVerifyArgs(argv, PROJECT_ROOT);
    if ("error" in parsed) throw new UsageError(parsed.error.split("\n")[0]!);
    return runVerify(parsed.targets, { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd });
  },
};
