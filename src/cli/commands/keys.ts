// canary keys new NAME | list: the local keystore that `canary tx --key NAME` signs with
// (docs/NODE.md).

import path from "node:path";
import { Keystore, defaultKeystorePath } from "../../node/keystore.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { rpcFailure } from "../rpc.ts";

const usage = `usage: canary keys new NAME [--keystore FILE]
       canary keys list [--keystore FILE]

Manages the local keystore that \`canary tx --key NAME\` signs with (docs/NODE.md).

  new NAME          create a P-256 key named NAME and print its account
  list              print every key's name and account
  --keystore FILE   default $CANARY_KEYSTORE, else ~/.canary/keys.json
`;

export const keysCommand: Command = {
  name: "keys",
  summary: "create and list the keys of the local keystore",
  usage,
  run(argv: string[], io: CliIO): number {
    const { values, positionals } = parseCommandLine(argv, { keystore: { type: "string" } });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    const file = values.keystore !== undefined ? path.resolve(io.cwd, values.keystore) : defaultKeystorePath();
    const [action, name, ...rest] = positionals;
    try {
      if (action === "new" && name !== undefined && rest.length === 0) {
        const key = Keystore.load(file, { create: true }).create(name);
        io.stdout(`${name} ${key.accountHex}\n`);
        return EXIT.ok;
      }
      if (action === "list" && name === undefined) {
        const store = Keystore.load(file);
        for (const n of store.names()) io.stdout(`${n} ${store.get(n).accountHex}\n`);
        return EXIT.ok;
      }
    } catch (e) {
      return rpcFailure(e);
    }
    throw new UsageError(`keys needs \`new NAME\` or \`list\`, got ${positionals.length ? positionals.join(" ") : "nothing"}`);
  },
};
