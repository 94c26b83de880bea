// canary bucket NAME ACCOUNT: an account's bucket, computed by the contract itself on a
// throwaway chain (init, createFeature NAME with the salt, bucketOf), so it is exactly what
// the chain will compute.

import path from "node:path";
import { CanaryClient } from "../../client/index.ts";
import { openChain, readModule } from "../../replay/module.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { DEFAULT_WASM, shown } from "../paths.ts";

const usage = `usage: canary bucket NAME ACCOUNT [--salt S] [--wasm PATH]

Prints the bucket (0..9999) the contract gives ACCOUNT for feature NAME: the account is
exposed while bucket < rolloutBps. The salt defaults to the name (SPEC section 4).

  ACCOUNT      0x + 40 hex digits
  --salt S     the feature's policy.salt (at most 64 bytes)
  --wasm PATH  the module (default: build/canary.metered.wasm of this checkout)
`;

const ADMIN = "0x0000000000000000000000000000000000000001";

export const bucketCommand: Command = {
  name: "bucket",
  summary: "an account's bucket for a feature, computed by the contract",
  usage,
  run(argv: string[], io: CliIO): number {
    const { values, positionals } = parseCommandLine(argv, { salt: { type: "string" }, wasm: { type: "string" } });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError(`bucket needs NAME and ACCOUNT, got ${positionals.length} argument(s)`);
    const [name, account] = positionals as [string, string];
    if (!/^0x[0-9a-fA-F]{40}$/.test(account)) {
      throw new CliError(`ACCOUNT must be 0x + 40 hex digits, got ${JSON.stringify(account)}`, "write the 20-byte account in hex, e.g. 0x0000000000000000000000000000000000000000");
    }
    const wasmPath = values.wasm !== undefined ? path.resolve(io.cwd, values.wasm) : DEFAULT_WASM;
    const chain = openChain(readModule(shown(wasmPath, io.cwd)));
    const client = new CanaryClient(chain, { height: 0 });
    chain.beginBlock(0);
    const init = client.init(ADMIN, ADMIN);
    if (!init.ok) throw new CliError(`the module refused init: ${init.codeName}`, "check the module with `canary verify`");
    const created = client.createFeature(ADMIN, name, "", values.salt !== undefined ? { salt: values.salt } : null);
    if (!created.ok) {
      const hint =
        created.codeName === "InvalidName"
          ? "a feature name is 1..64 characters of a-z 0-9 _ . -"
          : created.codeName === "InvalidPolicy"
            ? "a salt is at most 64 bytes"
            : undefined;
      throw new CliError(`the contract refused feature ${JSON.stringify(name)}: ${created.codeName}`, hint);
    }
    io.stdout(`${client.bucketOf(name, account)}\n`);
    return EXIT.ok;
  },
};
